#include "api/AlertApi.h"

#include "alert/AlertCenter.h"
#include "http/HttpExchange.h"
#include "http/Router.h"

namespace anchang {

void AlertApi::install(Router& router) {
    auto add = [&router](const char* method, const char* path, const char* permission, Router::Handler handler) {
        router.add({method, RoutePattern(path), permission, "kernel", std::move(handler)});
    };

    add("GET", "/api/v1/alerts", "kernel.admin",
        [this](HttpExchange& ex) { ex.sendJson(200, {{"alerts", alerts_.list(0, ex.queryValue("all").has_value())}}); });
    add("POST", "/api/v1/alerts/{id}/ack", "kernel.admin", [this](HttpExchange& ex) {
        alerts_.acknowledge(ex.idParam("id", "alert.not_found"), ex.principal->userId);
        ex.send(204, "", "");
    });
    add("GET", "/api/v1/projects/{project}/alerts", "kernel.alerts.read",
        [this](HttpExchange& ex) { ex.sendJson(200, {{"alerts", alerts_.list(*ex.project, ex.queryValue("all").has_value())}}); });
    add("POST", "/api/v1/projects/{project}/alerts/{id}/ack", "kernel.alerts.read", [this](HttpExchange& ex) {
        alerts_.acknowledge(ex.idParam("id", "alert.not_found"), ex.principal->userId, *ex.project);
        ex.send(204, "", "");
    });
}

} // namespace anchang
