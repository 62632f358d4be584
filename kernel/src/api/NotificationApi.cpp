#include "api/NotificationApi.h"

#include "anchang/sdk/Error.hpp"
#include "http/HttpExchange.h"
#include "http/Router.h"
#include "notify/NotificationCenter.h"

namespace anchang {

void NotificationApi::install(Router& router) {
    router.add({"GET", RoutePattern("/api/v1/notifications"), "kernel.admin", "kernel", [this](HttpExchange& ex) {
        std::int64_t project = 0;
        int limit = 100;
        try {
            if (auto p = ex.queryValue("project_id")) project = std::stoll(*p);
            if (auto l = ex.queryValue("limit")) limit = std::stoi(*l);
        } catch (const std::exception&) {
            throw sdk::Error::invalid("request.invalid", "project_id and limit must be whole numbers");
        }
        ex.sendJson(200, {{"notifications", notifications_.recent(project, limit)}});
    }});
}

} // namespace anchang
