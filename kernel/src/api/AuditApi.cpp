#include "api/AuditApi.h"

#include "anchang/sdk/Error.hpp"
#include "audit/AuditLog.h"
#include "http/HttpExchange.h"
#include "http/Router.h"

namespace anchang {

void AuditApi::install(Router& router) {
    auto list = [this](HttpExchange& ex, std::optional<std::int64_t> project) {
        const int limit = static_cast<int>(ex.numberQuery("limit").value_or(100));
        ex.sendJson(200, {{"entries", audit_.list(project, ex.queryValue("action").value_or(""), ex.numberQuery("before"), limit)}});
    };
    router.add({"GET", RoutePattern("/api/v1/audit"), "kernel.admin", "kernel",
                [list](HttpExchange& ex) { list(ex, ex.numberQuery("project")); }});
    router.add({"GET", RoutePattern("/api/v1/projects/{project}/audit"), "kernel.audit.read", "kernel",
                [list](HttpExchange& ex) { list(ex, ex.project); }});
    router.add({"GET", RoutePattern("/api/v1/audit/verify"), "kernel.audit.verify", "kernel",
                [this](HttpExchange& ex) { ex.sendJson(200, audit_.verify()); }});
}

} // namespace anchang
