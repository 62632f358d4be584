#pragma once
/// EmbeddingText — an embedding as text for the store (base64 of its 128 little-endian floats,
/// 684 characters): the store's parameters are JSON, and the same text reads back on SQLite and
/// PostgreSQL.

#include "Embedding.h"

#include <optional>
#include <string>

namespace anchang::face {

class EmbeddingText {
public:
    static std::string encode(const Embedding& embedding);
    /// Nothing when the text is not one (a damaged row is skipped, never half-read).
    static std::optional<Embedding> decode(const std::string& text);
};

}  // namespace anchang::face
