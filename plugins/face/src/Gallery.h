#pragma once
/// Gallery — a project's face embeddings in memory, searched 1:N by an exhaustive scan.
///
/// At 100,000 embeddings a scan is a few milliseconds (MEASURED.md), so no index is needed: an
/// approximate index would add a way to miss the one visit that proves a bypass. Rows sit in one
/// contiguous float array, 512 bytes each; removing swaps the last row into the hole.
/// Not thread-safe for writes: readers may share a const Gallery, a writer needs them excluded.

#include "Embedding.h"

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace anchang::face {

struct Match {
    std::int64_t id = 0;
    /// Euclidean distance, dlib's metric: the smaller, the likelier the same person.
    float distance = 0;
};

class Gallery {
public:
    /// Adds an embedding under id (the caller's key, e.g. a visit's face row), replacing the one
    /// already there.
    void add(std::int64_t id, const Embedding& embedding);
    /// Whether id was there.
    bool remove(std::int64_t id);
    bool contains(std::int64_t id) const { return rows_.contains(id); }
    std::size_t size() const { return ids_.size(); }
    /// Bytes held by the rows, their ids and the id index (an estimate for the last).
    std::size_t memoryBytes() const;
    void reserve(std::size_t count);

    /// The k nearest embeddings to query, nearest first.
    std::vector<Match> best(const Embedding& query, std::size_t k) const;

private:
    std::vector<float> values_;
    std::vector<std::int64_t> ids_;
    std::unordered_map<std::int64_t, std::size_t> rows_;
};

}  // namespace anchang::face
