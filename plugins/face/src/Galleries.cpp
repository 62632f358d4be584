#include "Galleries.h"

#include <mutex>

namespace anchang::face {

void Galleries::add(std::int64_t project, std::int64_t id, const Embedding& embedding) {
    std::unique_lock lock(mutex_);
    byProject_[project].add(id, embedding);
}

void Galleries::remove(std::int64_t project, const std::vector<std::int64_t>& ids) {
    std::unique_lock lock(mutex_);
    auto it = byProject_.find(project);
    if (it == byProject_.end()) return;
    for (const auto id : ids) it->second.remove(id);
}

std::vector<Match> Galleries::best(std::int64_t project, const Embedding& query, std::size_t k) const {
    std::shared_lock lock(mutex_);
    auto it = byProject_.find(project);
    if (it == byProject_.end()) return {};
    return it->second.best(query, k);
}

std::size_t Galleries::size(std::int64_t project) const {
    std::shared_lock lock(mutex_);
    auto it = byProject_.find(project);
    return it == byProject_.end() ? 0 : it->second.size();
}

std::size_t Galleries::memoryBytes() const {
    std::shared_lock lock(mutex_);
    std::size_t bytes = 0;
    for (const auto& [project, gallery] : byProject_) bytes += gallery.memoryBytes();
    return bytes;
}

}  // namespace anchang::face
