#include "http/Router.h"

#include <algorithm>
#include <mutex>
#include <stdexcept>

namespace anchang {

void Router::add(Route route) {
    std::unique_lock lock(mutex_);
    for (const auto& existing : routes_)
        if (existing->method == route.method && existing->pattern.sameShape(route.pattern))
            throw std::invalid_argument(route.method + " " + route.pattern.text() + " is already routed to " +
                                        existing->owner);
    auto added = std::make_shared<const Route>(std::move(route));
    const auto literal = added->pattern.literalAt(kBucketSegment);
    buckets_[{added->pattern.segmentCount(), literal ? std::string(*literal) : std::string()}].push_back(added);
    routes_.push_back(std::move(added));
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
    // The path's segment count and fifth segment pick the buckets worth comparing.
    std::size_t segments = 0;
    std::string_view fifth;
    for (std::size_t start = 1; start <= path.size();) {
        std::size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        if (segments == kBucketSegment) fifth = std::string_view(path).substr(start, end - start);
        ++segments;
        start = end + 1;
    }
    std::shared_lock lock(mutex_);
    Match best;
    int bestScore = -1;
    std::vector<const std::vector<std::shared_ptr<const Route>>*> candidates;
    for (const std::string_view key : {fifth, std::string_view()}) {
        const auto bucket = buckets_.find(std::make_pair(segments, std::string(key)));
        if (bucket != buckets_.end()) candidates.push_back(&bucket->second);
        if (key.empty()) break;
    }
    for (const auto* bucket : candidates) {
        for (const auto& route : *bucket) {
            auto params = route->pattern.match(path);
            if (!params) continue;
            if (route->method != method) {
                if (std::find(best.allowed.begin(), best.allowed.end(), route->method) == best.allowed.end())
                    best.allowed.push_back(route->method);
                continue;
            }
            if (route->pattern.specificity() > bestScore) {
                bestScore = route->pattern.specificity();
                best.route = route;
                best.params = std::move(*params);
            }
        }
    }
    return best;
}

std::vector<std::shared_ptr<const Router::Route>> Router::routes() const {
    std::shared_lock lock(mutex_);
    return routes_;
}

} // namespace anchang
