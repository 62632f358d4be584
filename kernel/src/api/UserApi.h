#pragma once
/// anchang::UserApi — the admin's users, roles and permissions pages.

namespace anchang {

class AccessPolicy;
class AuditLog;
class Router;
class UserDirectory;

class UserApi {
public:
    UserApi(UserDirectory& users, AccessPolicy& policy, AuditLog& audit) : users_(users), policy_(policy), audit_(audit) {}

    void install(Router& router);

private:
    UserDirectory& users_;
    AccessPolicy& policy_;
    AuditLog& audit_;
};

} // namespace anchang
