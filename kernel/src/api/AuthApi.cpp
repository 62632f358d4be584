#include "api/AuthApi.h"

#include "anchang/sdk/Error.hpp"
#include "auth/AccessPolicy.h"
#include "auth/LoginThrottle.h"
#include "auth/TokenService.h"
#include "auth/UserDirectory.h"
#include "http/HttpExchange.h"
#include "http/Router.h"
#include "project/ProjectDirectory.h"

namespace anchang {

namespace {

std::string stringField(const nlohmann::json& body, const char* key) {
    auto it = body.find(key);
    if (it == body.end() || !it->is_string() || it->get<std::string>().empty())
        throw sdk::Error::invalid("request.invalid", std::string(key) + " is required and must be a string");
    return it->get<std::string>();
}

} // namespace

void AuthApi::install(Router& router) {
    // The permissions come with the user, so the UI shows what the kernel will allow, grants an
    // admin changed included.
    auto me = [this](const Principal& principal) {
        nlohmann::json projects = projects_.list(principal);
        for (auto& project : projects) project["permissions"] = policy_.granted(principal, project["id"].get<std::int64_t>());
        return nlohmann::json{{"id", principal.userId},
                              {"username", principal.username},
                              {"display_name", principal.displayName},
                              {"roles", principal.globalRoles},
                              {"permissions", policy_.granted(principal, std::nullopt)},
                              {"projects", projects}};
    };

    router.add({"POST", RoutePattern("/api/v1/auth/login"), "public", "kernel", [this, me](HttpExchange& ex) {
        const nlohmann::json body = ex.json();
        const std::string username = stringField(body, "username");
        const std::string password = stringField(body, "password");
        const std::string address = ex.request().clientAddress().host().toString();
        if (auto wait = throttle_.retryAfter(username, address)) {
            ex.response().set("Retry-After", std::to_string(wait));
            throw sdk::Error(429, "auth.throttled", "too many failed logins; try again in " + std::to_string(wait) + " s");
        }
        auto id = users_.authenticate(username, password);
        if (!id) {
            throttle_.failed(username, address);
            throw sdk::Error(401, "auth.bad_credentials", "wrong username or password");
        }
        throttle_.succeeded(username);
        auto principal = users_.principal(*id);
        auto issued = tokens_.issue(*id, username);
        ex.sendJson(200, {{"token", issued.token}, {"expires_at", issued.expiresAt}, {"user", me(*principal)}});
    }});

    router.add({"POST", RoutePattern("/api/v1/auth/logout"), "authenticated", "kernel", [this](HttpExchange& ex) {
        tokens_.revoke(ex.principal->tokenId, ex.principal->expiresAt);
        ex.send(204, "", "");
    }});

    router.add({"GET", RoutePattern("/api/v1/auth/me"), "authenticated", "kernel",
                [me](HttpExchange& ex) { ex.sendJson(200, me(*ex.principal)); }});

    router.add({"PUT", RoutePattern("/api/v1/auth/password"), "authenticated", "kernel", [this](HttpExchange& ex) {
        const nlohmann::json body = ex.json();
        users_.changePassword(ex.principal->userId, stringField(body, "current"), stringField(body, "next"));
        ex.send(204, "", "");
    }});
}

} // namespace anchang
