#include "api/AdminApi.h"

#include "anchang/sdk/Error.hpp"
#include "audit/AuditLog.h"
#include "auth/RoleCatalog.h"
#include "bus/Bus.h"
#include "plugin/BusContracts.h"
#include "plugin/Outbox.h"
#include "http/HttpExchange.h"
#include "http/Router.h"
#include "licence/Licence.h"
#include "plugin/PluginHost.h"
#include "store/Store.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormatter.h>

#include <fstream>

namespace anchang {

void AdminApi::install(Router& router) {
    router.add({"GET", RoutePattern("/api/v1/health"), "public", "kernel", [](HttpExchange& ex) {
        static const std::string body = R"({"status":"ok"})";
        ex.send(200, "application/json; charset=utf-8", body);
    }});

    router.add({"GET", RoutePattern("/api/v1/modules"), "public", "kernel", [this](HttpExchange& ex) {
        const nlohmann::json licence = parts_.licence.describe();
        // The roles come with the modules that introduce them, with their names for the UI.
        ex.sendJson(200, {{"modules", parts_.plugins.modules()},
                          {"roles", parts_.roles.describe()},
                          {"licence", {{"state", licence["state"]}, {"expires_at", licence.value("expires_at", "")}}}});
    }});

    router.add({"GET", RoutePattern("/api/v1/modules/{id}"), "kernel.admin", "kernel", [this](HttpExchange& ex) {
        try {
            ex.sendJson(200, parts_.plugins.module(ex.param("id")));
        } catch (const std::out_of_range&) {
            throw sdk::Error::notFound("module.not_found", "no such module: " + ex.param("id"));
        }
    }});

    router.add({"GET", RoutePattern("/api/v1/licence"), "kernel.admin", "kernel",
                [this](HttpExchange& ex) { ex.sendJson(200, parts_.licence.describe()); }});

    router.add({"PUT", RoutePattern("/api/v1/licence"), "kernel.admin", "kernel", [this](HttpExchange& ex) {
        Licence candidate = Licence::parse(ex.body, parts_.publicKeyPem, Licence::today());
        if (!candidate.usable()) throw sdk::Error::invalid("licence.refused", candidate.problem());
        // Write then rename: a crash mid-write must not leave a half licence behind.
        const auto target = parts_.dataDir / "licence.json";
        const auto partial = parts_.dataDir / "licence.json.partial";
        {
            std::ofstream out(partial, std::ios::binary | std::ios::trunc);
            out << ex.body;
            if (!out) throw sdk::Error(500, "internal", "cannot write " + partial.string());
        }
        std::filesystem::rename(partial, target);
        const nlohmann::json before = parts_.licence.describe();
        const nlohmann::json after = candidate.describe();
        parts_.audit.append({ex.principal->userId, ex.principal->username, 0, "licence.change",
                             "licence:" + after.value("id", std::string{}),
                             {{"before", {{"id", before.value("id", "")}, {"modules", before.value("modules", nlohmann::json::array())},
                                          {"expires_at", before.value("expires_at", "")}}},
                              {"after", {{"id", after["id"]}, {"modules", after["modules"]}, {"expires_at", after["expires_at"]}}}}});
        ex.sendJson(200, {{"licence", after}, {"restart_required", true}});
    }});

    router.add({"GET", RoutePattern("/api/v1/bus/monitor"), "kernel.admin", "kernel", [this](HttpExchange& ex) {
        nlohmann::json snapshot = parts_.bus.monitor().snapshot();
        snapshot["services"] = parts_.bus.broker().stats();
        snapshot["counters"] = parts_.bus.counters();
        snapshot["endpoints"] = parts_.bus.endpoints();
        snapshot["contracts"] = parts_.contracts.describe();
        snapshot["durable"] = parts_.outbox.lag();
        ex.sendJson(200, snapshot);
    }});

    router.add({"GET", RoutePattern("/api/v1/system"), "kernel.admin", "kernel", [this](HttpExchange& ex) {
        ex.sendJson(200, {{"http", parts_.httpStats()}, {"bus", parts_.bus.counters()},
                          {"data_dir", parts_.dataDir.string()}, {"database", parts_.store.path()}, {"store", parts_.store.stats()}});
    }});

    router.add({"POST", RoutePattern("/api/v1/system/backup"), "kernel.admin", "kernel", [this](HttpExchange& ex) {
        const std::string name = "anchang-" + Poco::DateTimeFormatter::format(Poco::DateTime(), "%Y%m%d-%H%M%S") + ".db";
        const auto path = parts_.dataDir / "backups" / name;
        parts_.store.backup(path.string());
        const auto bytes = std::filesystem::file_size(path);
        parts_.audit.append({ex.principal->userId, ex.principal->username, 0, "system.backup", "backup:" + name,
                             {{"bytes", bytes}}});
        ex.sendJson(201, {{"path", path.string()}, {"bytes", bytes}});
    }});
}

} // namespace anchang
