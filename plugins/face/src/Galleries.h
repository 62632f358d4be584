#pragma once
/// Galleries — each project's Gallery, keyed by face_embeddings row id, shared by the routes
/// (readers) and the writers (a capture, a deletion, the purge). A project's faces are never
/// compared with another project's.

#include "Gallery.h"

#include <map>
#include <shared_mutex>
#include <vector>

namespace anchang::face {

class Galleries {
public:
    void add(std::int64_t project, std::int64_t id, const Embedding& embedding);
    void remove(std::int64_t project, const std::vector<std::int64_t>& ids);
    std::vector<Match> best(std::int64_t project, const Embedding& query, std::size_t k) const;
    std::size_t size(std::int64_t project) const;
    std::size_t memoryBytes() const;

private:
    mutable std::shared_mutex mutex_;
    std::map<std::int64_t, Gallery> byProject_;
};

}  // namespace anchang::face
