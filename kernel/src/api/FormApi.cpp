#include "api/FormApi.h"

#include "anchang/sdk/Error.hpp"
#include "audit/AuditLog.h"
#include "form/FormService.h"
#include "http/HttpExchange.h"
#include "http/Router.h"

namespace anchang {

void FormApi::install(Router& router) {
    auto add = [&router](const char* method, const char* path, const char* permission, Router::Handler handler) {
        router.add({method, RoutePattern(path), permission, "kernel", std::move(handler)});
    };

    add("GET", "/api/v1/forms", "authenticated", [this](HttpExchange& ex) { ex.sendJson(200, {{"forms", forms_.list()}}); });

    add("GET", "/api/v1/projects/{project}/forms/{form}", "authenticated",
        [this](HttpExchange& ex) { ex.sendJson(200, forms_.definition(*ex.project, ex.param("form"))); });

    add("PUT", "/api/v1/projects/{project}/forms/{form}/fields", "kernel.forms.write", [this](HttpExchange& ex) {
        const auto body = ex.json();
        if (!body.contains("fields")) throw sdk::Error::invalid("form.invalid", "fields is required");
        const std::string form = ex.param("form");
        nlohmann::json result = forms_.setCustomFields(*ex.project, form, body["fields"], ex.principal->userId);
        audit_.append({ex.principal->userId, ex.principal->username, *ex.project, "form.fields.change", "form:" + form,
                             {{"fields", result["custom_fields"]}}});
        ex.sendJson(200, result);
    });

    add("POST", "/api/v1/projects/{project}/forms/{form}/validate", "authenticated", [this](HttpExchange& ex) {
        const auto body = ex.json();
        ex.sendJson(200, forms_.validate(*ex.project, ex.param("form"), body.value("values", nlohmann::json::object())));
    });
}

} // namespace anchang
