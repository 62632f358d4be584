#pragma once
/// The face descriptor shared by the engine that computes it and the gallery that searches it.

#include <array>
#include <cstddef>

namespace anchang::face {

/// dlib's ResNet face descriptor. Two photos of one person lie closer than about 0.6 in
/// Euclidean distance; MEASURED.md has the threshold calibrated here.
inline constexpr std::size_t kEmbeddingSize = 128;
using Embedding = std::array<float, kEmbeddingSize>;

}  // namespace anchang::face
