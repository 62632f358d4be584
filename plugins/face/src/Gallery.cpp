#include "Gallery.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace anchang::face {

namespace {

// Squared Euclidean distance. Sixteen separate partial sums let GCC vectorise without
// -ffast-math: one sum would need additions reordered, which strict IEEE rules forbid.
float squaredDistance(const float* __restrict row, const float* __restrict query) {
    constexpr std::size_t kLanes = 16;
    float sums[kLanes] = {};
    for (std::size_t i = 0; i < kEmbeddingSize; i += kLanes)
        for (std::size_t lane = 0; lane < kLanes; ++lane) {
            const float d = row[i + lane] - query[i + lane];
            sums[lane] += d * d;
        }
    float total = 0;
    for (float s : sums) total += s;
    return total;
}

}  // namespace

void Gallery::add(std::int64_t id, const Embedding& embedding) {
    const auto [row, added] = rows_.try_emplace(id, ids_.size());
    if (added) {
        ids_.push_back(id);
        values_.insert(values_.end(), embedding.begin(), embedding.end());
    } else {
        std::copy(embedding.begin(), embedding.end(), values_.begin() + static_cast<std::ptrdiff_t>(row->second * kEmbeddingSize));
    }
}

bool Gallery::remove(std::int64_t id) {
    const auto found = rows_.find(id);
    if (found == rows_.end()) return false;
    const std::size_t row = found->second;
    const std::size_t last = ids_.size() - 1;
    if (row != last) {
        std::copy_n(values_.begin() + static_cast<std::ptrdiff_t>(last * kEmbeddingSize), kEmbeddingSize,
                    values_.begin() + static_cast<std::ptrdiff_t>(row * kEmbeddingSize));
        ids_[row] = ids_[last];
        rows_[ids_[row]] = row;
    }
    ids_.pop_back();
    values_.resize(last * kEmbeddingSize);
    rows_.erase(found);
    return true;
}

void Gallery::reserve(std::size_t count) {
    values_.reserve(count * kEmbeddingSize);
    ids_.reserve(count);
    rows_.reserve(count);
}

std::size_t Gallery::memoryBytes() const {
    // An unordered_map node holds the pair and a next pointer; the bucket array one pointer each.
    const std::size_t index = rows_.size() * (sizeof(std::pair<const std::int64_t, std::size_t>) + sizeof(void*)) + rows_.bucket_count() * sizeof(void*);
    return values_.capacity() * sizeof(float) + ids_.capacity() * sizeof(std::int64_t) + index;
}

std::vector<Match> Gallery::best(const Embedding& query, std::size_t k) const {
    k = std::min(k, ids_.size());
    if (k == 0) return {};
    // The k best so far, sorted, as squared distances: the square root is taken only for them.
    std::vector<Match> top;
    top.reserve(k + 1);
    float worst = std::numeric_limits<float>::infinity();
    const float* row = values_.data();
    for (std::size_t r = 0; r < ids_.size(); ++r, row += kEmbeddingSize) {
        const float d = squaredDistance(row, query.data());
        if (top.size() == k && d >= worst) continue;
        const auto at = std::upper_bound(top.begin(), top.end(), d, [](float value, const Match& m) { return value < m.distance; });
        top.insert(at, Match{ids_[r], d});
        if (top.size() > k) top.pop_back();
        if (top.size() == k) worst = top.back().distance;
    }
    for (Match& m : top) m.distance = std::sqrt(m.distance);
    return top;
}

}  // namespace anchang::face
