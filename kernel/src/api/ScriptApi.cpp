#include "api/ScriptApi.h"

#include "anchang/sdk/Error.hpp"
#include "audit/AuditLog.h"
#include "http/HttpExchange.h"
#include "http/Router.h"
#include "script/HookCatalog.h"
#include "script/HookRunner.h"
#include "script/ScriptEngine.h"
#include "script/ScriptRepository.h"

#include <Poco/DateTimeParser.h>

namespace anchang {

namespace {

constexpr std::size_t kMaxSource = 64 * 1024;

std::string text(const nlohmann::json& body, const char* key, std::size_t maxLength, bool required) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) {
        if (required) throw sdk::Error::invalid("script.invalid", std::string(key) + " is required");
        return {};
    }
    if (!it->is_string()) throw sdk::Error::invalid("script.invalid", std::string(key) + " must be a string");
    if (it->get<std::string>().size() > maxLength)
        throw sdk::Error::invalid("script.too_large", std::string(key) + " may have at most " + std::to_string(maxLength) + " bytes");
    return *it;
}

ScriptRepository::Author authorOf(const HttpExchange& ex) { return {ex.principal->userId, ex.principal->displayName}; }

AuditLog::Entry entry(const HttpExchange& ex, const std::string& action, std::int64_t script, nlohmann::json detail) {
    return {ex.principal->userId, ex.principal->username, *ex.project, action, "script:" + std::to_string(script), std::move(detail)};
}

} // namespace

void ScriptApi::install(Router& router) {
    auto add = [&router](const char* method, const char* path, const char* permission, Router::Handler handler) {
        router.add({method, RoutePattern(path), permission, "kernel", std::move(handler)});
    };
    auto checkSource = [this](const std::string& hook, const std::string& source) {
        if (!parts_.catalog.find(hook)) throw sdk::Error::notFound("hook.unknown", "no hook point " + hook);
        if (source.empty()) throw sdk::Error::invalid("script.invalid", "the script is empty");
        const std::string error = parts_.engine.syntaxError(source);
        if (!error.empty()) throw sdk::Error::invalid("script.syntax", error);
    };

    add("GET", "/api/v1/hooks", "authenticated", [this](HttpExchange& ex) {
        nlohmann::json described = parts_.catalog.describe();
        for (auto& hook : described["hooks"]) hook["budget_ms"] = parts_.hooks.budgetOf(hook["name"]).count();
        ex.sendJson(200, described);
    });

    add("GET", "/api/v1/projects/{project}/scripts", "kernel.scripts.read",
        [this](HttpExchange& ex) { ex.sendJson(200, {{"scripts", parts_.scripts.list(*ex.project)}}); });

    add("POST", "/api/v1/projects/{project}/scripts", "kernel.scripts.write", [this, checkSource](HttpExchange& ex) {
        const auto body = ex.json();
        const std::string hook = text(body, "hook", 200, true);
        const std::string name = ScriptRepository::checkedName(body.value("name", nlohmann::json()));
        const std::string source = text(body, "source", kMaxSource, true);
        const int position = body.contains("position") ? ScriptRepository::checkedPosition(body["position"]) : 100;
        checkSource(hook, source);
        const auto id = parts_.scripts.create(*ex.project, hook, name, position, source,
                                              text(body, "comment", 500, false), authorOf(ex));
        ex.sendJson(201, parts_.scripts.get(*ex.project, id));
    });

    add("GET", "/api/v1/projects/{project}/scripts/log", "kernel.scripts.read", [this](HttpExchange& ex) {
        const int limit = static_cast<int>(ex.numberQuery("limit").value_or(100));
        ex.sendJson(200, {{"entries", parts_.scripts.logs(*ex.project, ex.numberQuery("before"), limit)}});
    });

    add("POST", "/api/v1/projects/{project}/scripts/dry-run", "kernel.scripts.write", [this](HttpExchange& ex) {
        const auto body = ex.json();
        std::string hook = text(body, "hook", 200, false);
        std::string source = text(body, "source", kMaxSource, false);
        if (source.empty()) {
            if (!body.contains("script_id") || !body["script_id"].is_number_integer() || !body.contains("version") ||
                !body["version"].is_number_integer())
                throw sdk::Error::invalid("script.invalid", "give a source, or a script_id and version");
            const nlohmann::json script = parts_.scripts.get(*ex.project, body["script_id"]);
            hook = script["hook"];
            source = parts_.scripts.source(*ex.project, body["script_id"], body["version"]);
        }
        auto point = parts_.catalog.find(hook);
        if (!point) throw sdk::Error::notFound("hook.unknown", "no hook point " + hook);
        const nlohmann::json input = body.contains("input") ? body["input"] : point->point.sample;
        std::optional<std::int64_t> now;
        if (body.contains("now")) {
            int tz = 0;
            Poco::DateTime at;
            if (!body["now"].is_string() || !Poco::DateTimeParser::tryParse(body["now"].get<std::string>(), at, tz))
                throw sdk::Error::invalid("script.invalid", "now must be an ISO 8601 time");
            now = (at.timestamp().epochMicroseconds() / 1000) - static_cast<std::int64_t>(tz) * 1000;
        }
        ex.sendJson(200, parts_.hooks.dryRun(*ex.project, hook, source, input, now));
    });

    add("GET", "/api/v1/projects/{project}/scripts/{id}", "kernel.scripts.read",
        [this](HttpExchange& ex) { ex.sendJson(200, parts_.scripts.get(*ex.project, ex.idParam("id", "script.not_found"))); });

    add("PATCH", "/api/v1/projects/{project}/scripts/{id}", "kernel.scripts.write", [this](HttpExchange& ex) {
        const auto id = ex.idParam("id", "script.not_found");
        parts_.scripts.update(*ex.project, id, ex.json());
        ex.sendJson(200, parts_.scripts.get(*ex.project, id));
    });

    add("DELETE", "/api/v1/projects/{project}/scripts/{id}", "kernel.scripts.activate", [this](HttpExchange& ex) {
        const auto id = ex.idParam("id", "script.not_found");
        const nlohmann::json script = parts_.scripts.get(*ex.project, id);
        parts_.scripts.remove(*ex.project, id);
        parts_.audit.append(entry(ex, "script.delete", id, {{"hook", script["hook"]}, {"name", script["name"]},
                                                            {"active_version", script["active_version"]}}));
        ex.send(204, "", "");
    });

    add("POST", "/api/v1/projects/{project}/scripts/{id}/versions", "kernel.scripts.write", [this, checkSource](HttpExchange& ex) {
        const auto id = ex.idParam("id", "script.not_found");
        const auto body = ex.json();
        const std::string source = text(body, "source", kMaxSource, true);
        const nlohmann::json script = parts_.scripts.get(*ex.project, id);
        checkSource(script["hook"], source);
        const auto version = parts_.scripts.addVersion(*ex.project, id, source, text(body, "comment", 500, false), authorOf(ex));
        nlohmann::json out = parts_.scripts.get(*ex.project, id);
        out["created_version"] = version;
        ex.sendJson(201, out);
    });

    add("GET", "/api/v1/projects/{project}/scripts/{id}/versions/{version}", "kernel.scripts.read", [this](HttpExchange& ex) {
        const auto id = ex.idParam("id", "script.not_found");
        const auto version = ex.idParam("version", "script.version_not_found");
        ex.sendJson(200, {{"script_id", id}, {"version", version}, {"source", parts_.scripts.source(*ex.project, id, version)}});
    });

    add("POST", "/api/v1/projects/{project}/scripts/{id}/activate", "kernel.scripts.activate", [this](HttpExchange& ex) {
        const auto id = ex.idParam("id", "script.not_found");
        const auto body = ex.json();
        if (!body.contains("version") || !body["version"].is_number_integer())
            throw sdk::Error::invalid("script.invalid", "version must be a version number");
        const auto before = parts_.scripts.activate(*ex.project, id, body["version"]);
        parts_.audit.append(entry(ex, "script.activate", id, {{"version", body["version"]}, {"before", before}}));
        ex.sendJson(200, parts_.scripts.get(*ex.project, id));
    });

    add("POST", "/api/v1/projects/{project}/scripts/{id}/deactivate", "kernel.scripts.activate", [this](HttpExchange& ex) {
        const auto id = ex.idParam("id", "script.not_found");
        const auto before = parts_.scripts.deactivate(*ex.project, id);
        parts_.audit.append(entry(ex, "script.deactivate", id, {{"before", before}}));
        ex.sendJson(200, parts_.scripts.get(*ex.project, id));
    });

    add("POST", "/api/v1/projects/{project}/scripts/{id}/rollback", "kernel.scripts.activate", [this](HttpExchange& ex) {
        const auto id = ex.idParam("id", "script.not_found");
        const auto [from, to] = parts_.scripts.rollback(*ex.project, id);
        parts_.audit.append(entry(ex, "script.rollback", id, {{"from", from}, {"to", to}}));
        ex.sendJson(200, parts_.scripts.get(*ex.project, id));
    });
}

} // namespace anchang
