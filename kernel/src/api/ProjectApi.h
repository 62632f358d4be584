#pragma once
/// anchang::ProjectApi — projects and their members.

namespace anchang {

class AuditLog;
class ProjectDirectory;
class Router;
class UserDirectory;

class ProjectApi {
public:
    ProjectApi(ProjectDirectory& projects, UserDirectory& users, AuditLog& audit)
        : projects_(projects), users_(users), audit_(audit) {}

    void install(Router& router);

private:
    ProjectDirectory& projects_;
    UserDirectory& users_;
    AuditLog& audit_;
};

} // namespace anchang
