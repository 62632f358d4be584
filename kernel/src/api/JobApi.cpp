#include "api/JobApi.h"

#include "anchang/sdk/Error.hpp"
#include "http/HttpExchange.h"
#include "http/Router.h"
#include "schedule/Scheduler.h"

namespace anchang {

void JobApi::install(Router& router) {
    auto add = [&router](const char* method, const char* path, Router::Handler handler) {
        router.add({method, RoutePattern(path), "kernel.admin", "kernel", std::move(handler)});
    };
    add("GET", "/api/v1/jobs", [this](HttpExchange& ex) { ex.sendJson(200, {{"jobs", scheduler_.describe()}}); });
    add("GET", "/api/v1/jobs/runs", [this](HttpExchange& ex) {
        std::int64_t project = 0;
        int limit = 50;
        try {
            if (auto p = ex.queryValue("project_id")) project = std::stoll(*p);
            if (auto l = ex.queryValue("limit")) limit = std::stoi(*l);
        } catch (const std::exception&) {
            throw sdk::Error::invalid("request.invalid", "project_id and limit must be whole numbers");
        }
        ex.sendJson(200, {{"runs", scheduler_.runs(ex.queryValue("plugin").value_or(""), ex.queryValue("job").value_or(""), project, limit)}});
    });
    add("POST", "/api/v1/jobs/{plugin}/{job}/run", [this](HttpExchange& ex) {
        const auto body = ex.json();
        if (!body.contains("project_id") || !body["project_id"].is_number_integer())
            throw sdk::Error::invalid("request.invalid", "project_id (a whole number) says which project to run the job for");
        scheduler_.runNow(ex.param("plugin"), ex.param("job"), body["project_id"], ex.principal->userId);
        ex.sendJson(202, {{"queued", true}});
    });
}

} // namespace anchang
