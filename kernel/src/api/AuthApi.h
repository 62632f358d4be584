#pragma once
/// anchang::AuthApi — login, logout, who am I, change my password.
///
/// A login answers a bearer token and a device token (DeviceTrust) the browser keeps and shows
/// at its next login; a password change answers both anew, since it ends every token before.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace anchang {

class AccessPolicy;
class DeviceTrust;
class LoginThrottle;
struct Principal;
class ProjectDirectory;
class Router;
class TokenService;
class UserDirectory;

class AuthApi {
public:
    AuthApi(UserDirectory& users, TokenService& tokens, const DeviceTrust& devices, LoginThrottle& throttle, ProjectDirectory& projects,
            const AccessPolicy& policy)
        : users_(users), tokens_(tokens), devices_(devices), throttle_(throttle), projects_(projects), policy_(policy) {}

    void install(Router& router);

    /// {"token","expires_at","device_token","user"} for a user who just proved who they are.
    nlohmann::json session(const Principal& principal, const std::string& deviceId) const;

private:
    /// The user as /auth/me shows them, with their permissions per project.
    nlohmann::json me(const Principal& principal) const;

    UserDirectory& users_;
    TokenService& tokens_;
    const DeviceTrust& devices_;
    LoginThrottle& throttle_;
    ProjectDirectory& projects_;
    const AccessPolicy& policy_;
};

} // namespace anchang
