#pragma once
/// anchang::CodeSignInApi — sign-in with a phone and a one-time code, for people without a
/// password (buyers, everyone-brokers), into one role in one project.
///
///   POST /api/v1/auth/code         {"phone","project_id","role","lang"?} -> 202 {"expires_in","resend_after"}
///   POST /api/v1/auth/code/verify  {"phone","project_id","role","code"}  -> 200 session, as /auth/login
///
/// The role must be one a running module offers (its manifest's `sign_in_roles`). The first
/// answer is the same for every well-formed phone, known or not; a wrong, expired or spent code
/// gets one and the same 401. Codes go out through the kernel's notifier (template
/// kernel.sign_in_code, the code a secret parameter), so they reach the log in development and
/// the operator's SMS webhook in production.

#include <functional>
#include <string>

namespace anchang {

class AuthApi;
class LoginThrottle;
class NotificationCenter;
class ProjectDirectory;
class Router;
class SignInCodes;
class UserDirectory;

class CodeSignInApi {
public:
    struct Parts {
        SignInCodes& codes;
        UserDirectory& users;
        NotificationCenter& notifications;
        LoginThrottle& throttle;
        ProjectDirectory& projects;
        const AuthApi& sessions;
        /// Whether a running module offers this role to code sign-in.
        std::function<bool(const std::string&)> offered;
    };

    explicit CodeSignInApi(Parts parts) : p_(std::move(parts)) {}

    /// The kernel's template for the code, in both languages.
    static void declareTemplate(NotificationCenter& notifications);
    void install(Router& router);

private:
    Parts p_;
};

} // namespace anchang
