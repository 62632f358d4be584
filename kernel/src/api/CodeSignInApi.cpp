#include "api/CodeSignInApi.h"

#include "anchang/sdk/Error.hpp"
#include "api/AuthApi.h"
#include "auth/LoginThrottle.h"
#include "auth/SignInCodes.h"
#include "auth/UserDirectory.h"
#include "http/HttpExchange.h"
#include "http/Router.h"
#include "notify/NotificationCenter.h"
#include "project/ProjectDirectory.h"

#include <regex>

namespace anchang {

namespace {

struct Asked {
    std::string phone;
    std::int64_t project = 0;
    std::string role;
};

/// The fields both routes share, checked the same way, before anything is looked up.
Asked asked(const nlohmann::json& body, ProjectDirectory& projects, const std::function<bool(const std::string&)>& offered) {
    static const std::regex mobile("1[3-9][0-9]{9}");
    Asked a;
    if (!body.contains("phone") || !body["phone"].is_string() || !std::regex_match(a.phone = body["phone"].get<std::string>(), mobile))
        throw sdk::Error::invalid("auth.phone_invalid", "phone must be a mainland mobile number of 11 digits");
    if (!body.contains("project_id") || !body["project_id"].is_number_integer())
        throw sdk::Error::invalid("request.invalid", "project_id is required and must be an id");
    a.project = body["project_id"];
    if (!body.contains("role") || !body["role"].is_string())
        throw sdk::Error::invalid("request.invalid", "role is required and must be a string");
    a.role = body["role"];
    if (!offered(a.role)) throw sdk::Error::invalid("auth.role_not_offered", "no running module offers sign-in by code as " + a.role);
    if (!projects.exists(a.project) || projects.get(a.project).value("archived", false))
        throw sdk::Error::notFound("project.not_found", "no such project: " + std::to_string(a.project));
    return a;
}

std::string address(HttpExchange& ex) { return ex.request().clientAddress().host().toString(); }

} // namespace

void CodeSignInApi::declareTemplate(NotificationCenter& notifications) {
    notifications.addTemplates("kernel", {{"sign_in_code",
                                           {{"zh-CN", "您的登录验证码是 {code}，{minutes} 分钟内有效。请勿告诉他人。"},
                                            {"en", "Your sign-in code is {code}, valid for {minutes} minutes. Do not share it."},
                                            {"secret", {"code"}}}}});
}

void CodeSignInApi::install(Router& router) {
    router.add({"POST", RoutePattern("/api/v1/auth/code"), "public", "kernel", [this](HttpExchange& ex) {
        const nlohmann::json body = ex.json();
        const Asked a = asked(body, p_.projects, p_.offered);
        const auto issued = p_.codes.issue(a.phone, a.project, a.role, address(ex));
        if (issued.code.empty()) {
            ex.response().set("Retry-After", std::to_string(issued.retryAfterS));
            throw sdk::Error(429, "auth.code_throttled", "too many codes asked for; try again in " + std::to_string(issued.retryAfterS) + " s");
        }
        const auto minutes = p_.codes.limits().lifetimeMs / 60000;
        p_.notifications.send("kernel", a.project,
                              {{"recipient", {{"phone", a.phone}}},
                               {"template", "kernel.sign_in_code"},
                               {"params", {{"code", issued.code}, {"minutes", minutes}}},
                               {"lang", body.contains("lang") && body["lang"].is_string() ? body["lang"].get<std::string>() : ex.lang()}});
        ex.sendJson(202, {{"expires_in", p_.codes.limits().lifetimeMs / 1000}, {"resend_after", p_.codes.limits().resendAfterMs / 1000}});
    }});

    router.add({"POST", RoutePattern("/api/v1/auth/code/verify"), "public", "kernel", [this](HttpExchange& ex) {
        const nlohmann::json body = ex.json();
        const Asked a = asked(body, p_.projects, p_.offered);
        static const std::regex sixDigits("[0-9]{6}");
        if (!body.contains("code") || !body["code"].is_string() || !std::regex_match(body["code"].get<std::string>(), sixDigits))
            throw sdk::Error::invalid("auth.code_invalid", "the code is 6 digits");
        // Beside each code's own 5 tries, wrong codes are counted per phone and per address
        // (the kernel's code throttle), which holds back one address trying many phones.
        const std::string who = "phone:" + a.phone;
        const std::string from = address(ex);
        if (const auto wait = p_.throttle.retryAfter(who, from, {})) {
            ex.response().set("Retry-After", std::to_string(wait));
            throw sdk::Error(429, "auth.throttled", "too many wrong codes; try again in " + std::to_string(wait) + " s");
        }
        switch (p_.codes.verify(a.phone, a.project, a.role, body["code"])) {
        case SignInCodes::Check::Accepted: break;
        case SignInCodes::Check::Exhausted:
            throw sdk::Error(401, "auth.code_exhausted", "too many tries for this code; ask for a new one");
        case SignInCodes::Check::Wrong:
            p_.throttle.failed(who, from, {});
            [[fallthrough]];
        case SignInCodes::Check::Invalid:
            throw sdk::Error(401, "auth.code_invalid", "wrong or expired code");
        }
        p_.throttle.succeeded(who, {});
        const auto user = p_.users.principal(p_.users.signInByPhone(a.phone, a.project, a.role));
        if (!user) throw sdk::Error(403, "auth.user_disabled", "this phone's account is disabled");
        ex.sendJson(200, p_.sessions.session(*user, {}));
    }});
}

} // namespace anchang
