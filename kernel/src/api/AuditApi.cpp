#include "api/AuditApi.h"

#include "anchang/sdk/Error.hpp"
#include "audit/AuditLog.h"
#include "http/HttpExchange.h"
#include "http/Router.h"

namespace anchang {

namespace {

std::optional<std::int64_t> number(const HttpExchange& ex, const std::string& name) {
    auto text = ex.queryValue(name);
    if (!text) return std::nullopt;
    try {
        std::size_t used = 0;
        const std::int64_t value = std::stoll(*text, &used);
        if (used != text->size()) throw std::invalid_argument(name);
        return value;
    } catch (...) {
        throw sdk::Error::invalid("request.invalid", name + " must be a number");
    }
}

} // namespace

void AuditApi::install(Router& router) {
    auto list = [this](HttpExchange& ex, std::optional<std::int64_t> project) {
        const int limit = static_cast<int>(number(ex, "limit").value_or(100));
        ex.sendJson(200, {{"entries", audit_.list(project, ex.queryValue("action").value_or(""), number(ex, "before"), limit)}});
    };
    router.add({"GET", RoutePattern("/api/v1/audit"), "kernel.admin", "kernel",
                [list](HttpExchange& ex) { list(ex, number(ex, "project")); }});
    router.add({"GET", RoutePattern("/api/v1/projects/{project}/audit"), "kernel.audit.read", "kernel",
                [list](HttpExchange& ex) { list(ex, ex.project); }});
    router.add({"GET", RoutePattern("/api/v1/audit/verify"), "kernel.audit.verify", "kernel",
                [this](HttpExchange& ex) { ex.sendJson(200, audit_.verify()); }});
}

} // namespace anchang
