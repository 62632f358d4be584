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
    routes_.push_back(std::make_shared<const Route>(std::move(route)));
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
    std::shared_lock lock(mutex_);
    Match best;
    int bestScore = -1;
    for (const auto& route : routes_) {
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
    return best;
}

std::vector<std::shared_ptr<const Router::Route>> Router::routes() const {
    std::shared_lock lock(mutex_);
    return routes_;
}

} // namespace anchang
