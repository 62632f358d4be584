#pragma once
/// anchang::AuthApi — login, logout, who am I, change my password.

namespace anchang {

class AccessPolicy;
class LoginThrottle;
class ProjectDirectory;
class Router;
class TokenService;
class UserDirectory;

class AuthApi {
public:
    AuthApi(UserDirectory& users, TokenService& tokens, LoginThrottle& throttle, ProjectDirectory& projects, const AccessPolicy& policy)
        : users_(users), tokens_(tokens), throttle_(throttle), projects_(projects), policy_(policy) {}

    void install(Router& router);

private:
    UserDirectory& users_;
    TokenService& tokens_;
    LoginThrottle& throttle_;
    ProjectDirectory& projects_;
    const AccessPolicy& policy_;
};

} // namespace anchang
