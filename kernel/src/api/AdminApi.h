#pragma once
/// anchang::AdminApi — health, modules, licence, bus monitor, system status and backup.

#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace anchang {

class AuditLog;
class Bus;
class BusContracts;
class Outbox;
class RoleCatalog;
class Licence;
class PluginHost;
class Router;
class Store;

class AdminApi {
public:
    struct Parts {
        PluginHost& plugins;
        const Licence& licence;
        Bus& bus;
        Store& store;
        AuditLog& audit;
        std::filesystem::path dataDir;
        std::string publicKeyPem;
        const RoleCatalog& roles;
        const BusContracts& contracts;
        Outbox& outbox;
        /// HTTP server counters, read late because the server starts after the routes exist.
        std::function<nlohmann::json()> httpStats;
    };

    explicit AdminApi(Parts parts) : parts_(std::move(parts)) {}

    void install(Router& router);

private:
    Parts parts_;
};

} // namespace anchang
