#include "api/AuthApi.h"

#include "anchang/sdk/Error.hpp"
#include "auth/AccessPolicy.h"
#include "auth/DeviceTrust.h"
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

nlohmann::json AuthApi::me(const Principal& principal) const {
    // The permissions come with the user, so the UI shows what the kernel will allow, grants an
    // admin changed included.
    nlohmann::json projects = projects_.list(principal);
    for (auto& project : projects) project["permissions"] = policy_.granted(principal, project["id"].get<std::int64_t>());
    return {{"id", principal.userId},
            {"username", principal.username},
            {"display_name", principal.displayName},
            {"roles", principal.globalRoles},
            {"permissions", policy_.granted(principal, std::nullopt)},
            {"projects", projects}};
}

nlohmann::json AuthApi::session(const Principal& principal, const std::string& deviceId) const {
    const auto issued = tokens_.issue(principal.userId, principal.username, principal.tokenGeneration);
    return {{"token", issued.token},
            {"expires_at", issued.expiresAt},
            {"device_token", devices_.issue(principal.userId, principal.tokenGeneration, deviceId)},
            {"user", me(principal)}};
}

void AuthApi::install(Router& router) {
    router.add({"POST", RoutePattern("/api/v1/auth/login"), "public", "kernel", [this](HttpExchange& ex) {
        const nlohmann::json body = ex.json();
        const std::string username = stringField(body, "username");
        const std::string password = stringField(body, "password");
        const std::string address = ex.request().clientAddress().host().toString();
        // A browser that logged in as this very user before (and since the last password change).
        std::string device;
        if (const auto it = body.find("device_token"); it != body.end() && it->is_string())
            if (const auto known = devices_.verify(it->get<std::string>()))
                if (const auto owner = users_.principal(known->userId);
                    owner && owner->username == username && owner->tokenGeneration == known->generation)
                    device = known->id;
        if (auto wait = throttle_.retryAfter(username, address, device)) {
            ex.response().set("Retry-After", std::to_string(wait));
            throw sdk::Error(429, "auth.throttled", "too many failed logins; try again in " + std::to_string(wait) + " s");
        }
        auto id = users_.authenticate(username, password);
        if (!id) {
            throttle_.failed(username, address, device);
            throw sdk::Error(401, "auth.bad_credentials", "wrong username or password");
        }
        throttle_.succeeded(username, device);
        ex.sendJson(200, session(*users_.principal(*id), device));
    }});

    router.add({"POST", RoutePattern("/api/v1/auth/logout"), "authenticated", "kernel", [this](HttpExchange& ex) {
        tokens_.revoke(ex.tokenId, ex.tokenExpiresAt);
        ex.send(204, "", "");
    }});

    router.add({"GET", RoutePattern("/api/v1/auth/me"), "authenticated", "kernel",
                [this](HttpExchange& ex) { ex.sendJson(200, me(*ex.principal)); }});

    // Every token of the user ends with the old password, this browser's included; it gets new ones.
    router.add({"PUT", RoutePattern("/api/v1/auth/password"), "authenticated", "kernel", [this](HttpExchange& ex) {
        const nlohmann::json body = ex.json();
        users_.changePassword(ex.principal->userId, stringField(body, "current"), stringField(body, "next"));
        const auto principal = users_.principal(ex.principal->userId);
        if (!principal) throw sdk::Error(401, "auth.token_invalid", "the token's user no longer exists or is disabled");
        ex.sendJson(200, session(*principal, {}));
    }});
}

} // namespace anchang
