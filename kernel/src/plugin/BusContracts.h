#pragma once
/// anchang::BusContracts — what every service, topic and extension point on the bus promises,
/// from the manifests of the running plugins, and the messages that broke a promise.
///
/// A plugin declares the request and reply of each service it offers, the body of each topic it
/// publishes and the services it calls (`bus.calls`). The kernel checks the messages of every
/// in-process plugin against them where they leave the plugin: an undeclared call, a request
/// or reply or event of the wrong shape. Each violation is counted by name (the bus monitor
/// shows them) and logged; with `bus.strictContracts` (every test kernel) the message is also
/// refused, so a broken contract fails the test that exercises it. docs/contracts.md is the
/// catalogue, generated from the manifests.

#include "plugin/PluginManifest.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

namespace anchang {

class BusContracts {
public:
    explicit BusContracts(bool strict) : strict_(strict) {}

    /// Adds what a running plugin declares (its services, topics, points and contributions).
    void add(const PluginManifest& manifest);
    /// A kernel service, declared in code (KernelBusServices).
    void addService(const std::string& owner, const PluginManifest::Service& service);

    bool strict() const { return strict_; }
    /// Whether `service` runs in this process (a running in-process plugin's, or the kernel's).
    bool inProcess(const std::string& service) const;

    /// nullopt when the message keeps its contract, else the violation (counted and logged).
    std::optional<std::string> checkCall(const PluginManifest& caller, const std::string& service, const nlohmann::json& body);
    std::optional<std::string> checkReply(const std::string& service, const nlohmann::json& body);
    std::optional<std::string> checkEvent(const PluginManifest& publisher, const std::string& topic, const nlohmann::json& body);

    struct Contributor {
        std::string plugin;
        std::string service;
    };
    /// The running plugins that contribute to `point`, ordered by plugin id.
    std::vector<Contributor> contributors(const std::string& point) const;
    std::optional<std::string> checkExtensionInput(const PluginManifest::ExtensionPoint& point, const nlohmann::json& input);
    std::optional<std::string> checkExtensionAnswer(const PluginManifest::ExtensionPoint& point, const std::string& contributor,
                                                    const nlohmann::json& output);

    /// {"violations":[{"name","count","last"}]} for the bus monitor.
    nlohmann::json describe() const;

private:
    std::optional<std::string> violation(const std::string& name, const std::string& problem);
    static std::optional<std::string> mismatch(const nlohmann::json& schema, const nlohmann::json& value);

    const bool strict_;
    mutable std::shared_mutex mutex_;
    std::map<std::string, PluginManifest::Service> services_;
    std::set<std::string> inProcess_;
    std::map<std::string, std::vector<Contributor>> contributions_;
    struct Count {
        std::uint64_t count = 0;
        std::string last;
    };
    std::map<std::string, Count> violations_;
};

} // namespace anchang
