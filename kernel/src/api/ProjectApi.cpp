#include "api/ProjectApi.h"

#include "audit/AuditLog.h"
#include "auth/UserDirectory.h"
#include "http/HttpExchange.h"
#include "http/Router.h"
#include "project/ProjectDirectory.h"

namespace anchang {

void ProjectApi::install(Router& router) {
    router.add({"GET", RoutePattern("/api/v1/projects"), "authenticated", "kernel",
                [this](HttpExchange& ex) { ex.sendJson(200, {{"projects", projects_.list(*ex.principal)}}); }});
    router.add({"POST", RoutePattern("/api/v1/projects"), "kernel.admin", "kernel", [this](HttpExchange& ex) {
        nlohmann::json project = projects_.create(ex.json());
        audit_.append({ex.principal->userId, ex.principal->username, project["id"], "project.create",
                       "project:" + project["id"].dump(), {{"code", project["code"]}, {"name", project["name"]}}});
        ex.sendJson(201, project);
    }});
    router.add({"GET", RoutePattern("/api/v1/projects/{project}"), "authenticated", "kernel",
                [this](HttpExchange& ex) { ex.sendJson(200, projects_.get(*ex.project)); }});
    router.add({"PATCH", RoutePattern("/api/v1/projects/{project}"), "kernel.admin", "kernel", [this](HttpExchange& ex) {
        const nlohmann::json body = ex.json();
        nlohmann::json project = projects_.update(*ex.project, body);
        audit_.append({ex.principal->userId, ex.principal->username, *ex.project, "project.update",
                       "project:" + std::to_string(*ex.project), body});
        ex.sendJson(200, project);
    }});
    router.add({"GET", RoutePattern("/api/v1/projects/{project}/members"), "kernel.members.read", "kernel",
                [this](HttpExchange& ex) { ex.sendJson(200, {{"members", users_.list(*ex.project)}}); }});
}

} // namespace anchang
