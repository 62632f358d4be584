#include "api/AuditApi.h"

#include "anchang/sdk/Error.hpp"
#include "audit/AuditLog.h"
#include "audit/AuditWitness.h"
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
    // The chain, held to every position pinned outside the database, and to the checkpoints the
    // caller kept elsewhere (POST, the body of an earlier export).
    auto verify = [this](HttpExchange& ex, const nlohmann::json& kept) {
        std::vector<std::string> problems;
        auto pins = witness_.pins(problems);
        for (const auto& checkpoint : kept) {
            auto pin = witness_.pinOf(checkpoint);
            if (!pin) throw sdk::Error::invalid("audit.checkpoint_invalid", "a checkpoint was not signed by this server's audit key");
            pin->source = "the exported " + pin->source;
            pins.push_back(*pin);
        }
        nlohmann::json result = audit_.verify(pins);
        if (result["ok"] == true && !problems.empty()) {
            result["ok"] = false;
            result["problem"] = problems.front();
        }
        ex.sendJson(200, result);
    };
    router.add({"GET", RoutePattern("/api/v1/audit/verify"), "kernel.audit.verify", "kernel",
                [verify](HttpExchange& ex) { verify(ex, nlohmann::json::array()); }});
    router.add({"POST", RoutePattern("/api/v1/audit/verify"), "kernel.audit.verify", "kernel", [verify](HttpExchange& ex) {
        const auto body = ex.json();
        const auto checkpoints = body.value("checkpoints", nlohmann::json::array());
        if (!checkpoints.is_array() || checkpoints.size() > 10000)
            throw sdk::Error::invalid("request.invalid", "checkpoints must be the list an export gave");
        verify(ex, checkpoints);
    }});
    router.add({"GET", RoutePattern("/api/v1/audit/checkpoints"), "kernel.audit.verify", "kernel",
                [this](HttpExchange& ex) { ex.sendJson(200, witness_.exportCheckpoints()); }});
    router.add({"POST", RoutePattern("/api/v1/audit/checkpoints"), "kernel.audit.verify", "kernel",
                [this](HttpExchange& ex) { ex.sendJson(201, witness_.checkpoint()); }});
}

} // namespace anchang
