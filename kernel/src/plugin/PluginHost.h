#pragma once
/// anchang::PluginHost — finds, checks, orders, loads, starts and stops the plugins.
///
/// Every manifest is read before any library is loaded. A plugin is then disabled (by
/// configuration), unlicensed (its module is not in the licence), or a candidate; candidates
/// whose dependencies are missing, of the wrong version, or in a cycle fail with that reason.
/// The rest start in dependency order: library, ABI check, migrations, start, go live. Any
/// failure marks that plugin failed with its reason, and everything that depends on it, while
/// the others keep running. Stop runs in reverse order.

#include "anchang/abi.h"
#include "licence/Licence.h"
#include "plugin/KernelServices.h"
#include "plugin/PluginManifest.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace Poco {
class SharedLibrary;
}

namespace anchang {

class PluginContext;

class PluginHost {
public:
    /// Pending only while startAll runs; never reported. Waiting: a bridge whose modules do not
    /// all run.
    enum class State { Running, Failed, Unlicensed, Disabled, Waiting, Pending };

    struct Options {
        std::filesystem::path dir;
        std::set<std::string> disabled;
        /// Per-plugin settings from the kernel config (plugins.<id>.<key>), merged over the
        /// manifest's "config" defaults.
        std::map<std::string, nlohmann::json> settings;
    };

    PluginHost(KernelServices services, const Licence& licence, Options options);
    ~PluginHost();

    /// Reads every manifest under the plugins folder.
    void discover();
    /// Resolves, orders and starts; never throws for a plugin's fault.
    void startAll();
    /// Stops the running plugins in reverse start order.
    void stopAll();

    /// For GET /api/v1/modules: id, name, version, state, reason, web pages.
    nlohmann::json modules() const;
    /// Everything the manifest declares, for the admin's module page.
    nlohmann::json module(const std::string& id) const;

    /// Why nobody offers `service`, in words for its caller.
    std::string explainService(const std::string& service) const;
    /// Why writes to `owner`'s routes are refused (an expired licence), or nullopt.
    std::optional<std::string> readOnlyReason(const std::string& owner) const;

    /// Whether the out-of-process plugin `client` (enabled, its manifest approved by being
    /// installed) declares the service, or the topic.
    bool externalOffers(const std::string& client, const std::string& service) const;
    bool externalPublishes(const std::string& client, const std::string& topic) const;
    /// Whether a running plugin offers `role` to phone + one-time code sign-in (sign_in_roles).
    bool offersSignIn(const std::string& role) const;

    static const char* stateName(State state);

private:
    struct Plugin {
        std::string id;
        std::filesystem::path dir;
        std::optional<PluginManifest> manifest;
        State state = State::Failed;
        std::string reason;
        std::unique_ptr<Poco::SharedLibrary> library;
        const anchang_plugin* descriptor = nullptr;
        std::unique_ptr<PluginContext> context;
    };

    void resolve();
    std::vector<Plugin*> order();
    void startOne(Plugin& plugin);
    void fail(Plugin& plugin, const std::string& reason);
    std::string abiOf(Poco::SharedLibrary& library) const;

    KernelServices services_;
    const Licence& licence_;
    Options options_;
    std::vector<std::unique_ptr<Plugin>> plugins_;
    std::vector<Plugin*> started_;
    /// Guards state and reason, which the broker reads while plugins are still starting.
    mutable std::mutex mutex_;
};

} // namespace anchang
