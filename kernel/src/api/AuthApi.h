#pragma once
/// anchang::AuthApi — login, logout, who am I, change my password.

namespace anchang {

class LoginThrottle;
class ProjectDirectory;
class Router;
class TokenService;
class UserDirectory;

class AuthApi {
public:
    AuthApi(UserDirectory& users, TokenService& tokens, LoginThrottle& throttle, ProjectDirectory& projects)
        : users_(users), tokens_(tokens), throttle_(throttle), projects_(projects) {}

    void install(Router& router);

private:
    UserDirectory& users_;
    TokenService& tokens_;
    LoginThrottle& throttle_;
    ProjectDirectory& projects_;
};

} // namespace anchang
