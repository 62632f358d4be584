#pragma once
/// anchang::Router — every HTTP route of the kernel and its plugins, with its permission.
///
/// Routes are added while the kernel starts (kernel routes first, then each plugin's after its
/// start succeeded); request threads only read. A route whose method and shape another route
/// already holds is refused, so a plugin cannot shadow a kernel route.

#include "http/RoutePattern.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

namespace anchang {

class HttpExchange;

class Router {
public:
    using Handler = std::function<void(HttpExchange&)>;

    struct Route {
        std::string method;
        RoutePattern pattern;
        /// "public", "authenticated", or a permission name.
        std::string permission;
        /// "kernel" or the plugin id.
        std::string owner;
        Handler handler;
        /// Accepts the token as ?access_token= too: only for event streams, since an EventSource
        /// cannot send headers. Elsewhere a token in a URL would end up in history and Referer.
        bool tokenInQuery = false;
        /// The handler reads the body itself from request().stream() (an upload streamed to
        /// disk); the pipeline neither reads it nor applies http.maxBodyBytes to it.
        bool streamsBody = false;
    };

    struct Match {
        std::shared_ptr<const Route> route;
        std::map<std::string, std::string> params;
        /// Methods allowed on the path when the method did not match (for 405).
        std::vector<std::string> allowed;
    };

    /// Throws std::invalid_argument when the route conflicts with one already added.
    void add(Route route);
    Match match(const std::string& method, const std::string& path) const;
    /// For the admin API: method, path, permission, owner of every route.
    std::vector<std::shared_ptr<const Route>> routes() const;

private:
    mutable std::shared_mutex mutex_;
    std::vector<std::shared_ptr<const Route>> routes_;
    /// The routes a path can match, by its segment count and its fifth segment (the module's
    /// name in /api/v1/projects/{project}/<module>/…; "" for patterns with a parameter there):
    /// a request compares a handful of patterns instead of every route of every module (the
    /// scan was 6 % of an opening storm's CPU).
    std::map<std::pair<std::size_t, std::string>, std::vector<std::shared_ptr<const Route>>> buckets_;
    static constexpr std::size_t kBucketSegment = 4;
};

} // namespace anchang
