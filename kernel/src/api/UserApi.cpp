#include "api/UserApi.h"

#include "anchang/sdk/Error.hpp"
#include "audit/AuditLog.h"
#include "auth/AccessPolicy.h"
#include "auth/UserDirectory.h"
#include "http/HttpExchange.h"
#include "http/Router.h"

namespace anchang {

namespace {

AuditLog::Entry entry(const HttpExchange& ex, const std::string& action, const std::string& target, nlohmann::json detail) {
    return {ex.principal->userId, ex.principal->username, 0, action, target, std::move(detail)};
}

} // namespace

void UserApi::install(Router& router) {
    const std::string admin = "kernel.admin";
    router.add({"GET", RoutePattern("/api/v1/users"), admin, "kernel", [this](HttpExchange& ex) {
        ex.sendJson(200, {{"users", users_.list(ex.numberQuery("project"))}});
    }});
    router.add({"POST", RoutePattern("/api/v1/users"), admin, "kernel", [this](HttpExchange& ex) {
        const nlohmann::json body = ex.json();
        const std::int64_t id = users_.create(body);
        nlohmann::json user = users_.get(id);
        audit_.append(entry(ex, "user.create", "user:" + std::to_string(id), {{"username", user["username"]}, {"roles", user["roles"]}}));
        ex.sendJson(201, user);
    }});
    router.add({"GET", RoutePattern("/api/v1/users/{id}"), admin, "kernel",
                [this](HttpExchange& ex) { ex.sendJson(200, users_.get(ex.idParam("id", "user.not_found"))); }});
    router.add({"PATCH", RoutePattern("/api/v1/users/{id}"), admin, "kernel", [this](HttpExchange& ex) {
        const std::int64_t id = ex.idParam("id", "user.not_found");
        nlohmann::json body = ex.json();
        users_.update(id, body);
        // Never write a password, not even hashed, into the audit log.
        if (body.contains("password")) body["password"] = "(changed)";
        audit_.append(entry(ex, "user.update", "user:" + std::to_string(id), body));
        ex.sendJson(200, users_.get(id));
    }});
    router.add({"PUT", RoutePattern("/api/v1/users/{id}/roles"), admin, "kernel", [this](HttpExchange& ex) {
        const std::int64_t id = ex.idParam("id", "user.not_found");
        const nlohmann::json body = ex.json();
        if (!body.contains("roles")) throw sdk::Error::invalid("request.invalid", "roles is required");
        const nlohmann::json before = users_.get(id)["roles"];
        users_.setRoles(id, body["roles"]);
        nlohmann::json user = users_.get(id);
        audit_.append(entry(ex, "user.roles.change", "user:" + std::to_string(id), {{"before", before}, {"after", user["roles"]}}));
        ex.sendJson(200, user);
    }});
    router.add({"GET", RoutePattern("/api/v1/roles"), admin, "kernel",
                [this](HttpExchange& ex) { ex.sendJson(200, policy_.describe()); }});
    router.add({"PUT", RoutePattern("/api/v1/roles/{role}/permissions/{permission}"), admin, "kernel", [this](HttpExchange& ex) {
        const nlohmann::json body = ex.json();
        if (!body.contains("granted") || !body["granted"].is_boolean())
            throw sdk::Error::invalid("request.invalid", "granted must be true or false");
        const std::string role = ex.param("role");
        const std::string permission = ex.param("permission");
        policy_.set(role, permission, body["granted"].get<bool>());
        audit_.append(entry(ex, "role.permission.change", "role:" + role, {{"permission", permission}, {"granted", body["granted"]}}));
        ex.sendJson(200, policy_.describe());
    }});
}

} // namespace anchang
