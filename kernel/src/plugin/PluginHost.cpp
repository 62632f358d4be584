#include "plugin/PluginHost.h"

#include "auth/AccessPolicy.h"
#include "auth/RoleCatalog.h"
#include "plugin/BusContracts.h"
#include "form/FormService.h"
#include "plugin/CrashGuard.h"
#include "media/MediaLibrary.h"
#include "notify/NotificationCenter.h"
#include "script/HookCatalog.h"
#include "plugin/PluginContext.h"
#include "store/Migrator.h"

#include <Poco/Logger.h>
#include <Poco/SharedLibrary.h>

#include <algorithm>

namespace anchang {

namespace {
Poco::Logger& logger() { return Poco::Logger::get("plugins"); }

std::string joinedNames(const PluginManifest& m) {
    std::string names;
    for (const auto& id : m.joins) names += (names.empty() ? "" : " and ") + id;
    return names;
}
void appendTo(void* user, const char* data, std::size_t size) { static_cast<std::string*>(user)->append(data, size); }
} // namespace

const char* PluginHost::stateName(State state) {
    switch (state) {
    case State::Running: return "running";
    case State::Unlicensed: return "unlicensed";
    case State::Disabled: return "disabled";
    case State::Waiting: return "waiting";
    default: return "failed";
    }
}

PluginHost::PluginHost(KernelServices services, const Licence& licence, Options options)
    : services_(services), licence_(licence), options_(std::move(options)) {}

PluginHost::~PluginHost() { stopAll(); }

void PluginHost::fail(Plugin& plugin, const std::string& reason) {
    {
        std::lock_guard lock(mutex_);
        plugin.state = State::Failed;
        plugin.reason = reason;
    }
    logger().error("plugin %s failed: %s", plugin.id, reason);
}

void PluginHost::discover() {
    if (!std::filesystem::is_directory(options_.dir)) {
        logger().warning("no plugins folder at %s", options_.dir.string());
        return;
    }
    std::vector<std::filesystem::path> dirs;
    for (const auto& entry : std::filesystem::directory_iterator(options_.dir))
        if (entry.is_directory() && std::filesystem::exists(entry.path() / "plugin.json")) dirs.push_back(entry.path());
    std::sort(dirs.begin(), dirs.end());
    for (const auto& dir : dirs) {
        auto plugin = std::make_unique<Plugin>();
        plugin->dir = dir;
        plugin->id = dir.filename().string();
        try {
            plugin->manifest = PluginManifest::load(dir);
            plugin->id = plugin->manifest->id;
        } catch (const std::exception& e) {
            fail(*plugin, e.what());
            plugins_.push_back(std::move(plugin));
            continue;
        }
        const PluginManifest& m = *plugin->manifest;
        const bool duplicate = std::any_of(plugins_.begin(), plugins_.end(), [&](const auto& other) {
            return other->manifest && other->id == plugin->id;
        });
        if (duplicate) {
            fail(*plugin, "another plugin folder already holds the id " + plugin->id);
        } else if (options_.disabled.count(m.id)) {
            plugin->state = State::Disabled;
            plugin->reason = "disabled in the configuration (plugins.disabled)";
        } else if (!m.licenceFeature.empty() && !licence_.covers(m.licenceFeature)) {
            plugin->state = State::Unlicensed;
            plugin->reason = licence_.usable() ? "the licence does not include the module " + m.licenceFeature
                                               : licence_.problem();
        } else if (m.abi != ANCHANG_ABI_MAJOR) {
            fail(*plugin, "wrong ABI: plugin.json says ABI " + std::to_string(m.abi) + ", this kernel speaks ABI " +
                              std::to_string(ANCHANG_ABI_MAJOR));
        } else {
            plugin->state = State::Pending;
        }
        // Roles are vocabulary: known from every manifest, a module unlicensed or not, so the
        // users who hold them can be created and kept.
        if (plugin->manifest) {
            for (const auto& [role, name] : m.roles) services_.roles.declare(role, name, m.id);
            for (const auto& role : m.rolesNamed()) services_.roles.declare(role, nullptr, m.id);
        }
        plugins_.push_back(std::move(plugin));
    }
}

void PluginHost::resolve() {
    // Only the plugin that declares a service serves it: a second manifest claiming the same
    // name is refused (folders are sorted, so the first is stable).
    std::map<std::string, std::string> owners;
    for (auto& plugin : plugins_) {
        if (plugin->state != State::Pending) continue;
        for (const auto& service : plugin->manifest->services) {
            const auto [it, fresh] = owners.emplace(service.name, plugin->id);
            if (!fresh) {
                fail(*plugin, "declares the service " + service.name + ", which " + it->second + " declares");
                break;
            }
        }
    }
    // Failures cascade (a needs b, b needs a missing c), so repeat until nothing changes.
    for (bool changed = true; changed;) {
        changed = false;
        for (auto& plugin : plugins_) {
            if (plugin->state != State::Pending) continue;
            for (const auto& [depId, range] : plugin->manifest->dependencies) {
                auto it = std::find_if(plugins_.begin(), plugins_.end(), [&](const auto& p) { return p->manifest && p->id == depId; });
                std::string problem;
                if (it == plugins_.end()) problem = "needs " + depId + " " + range.text() + ", which is not installed";
                else if ((*it)->state != State::Pending) problem = "needs " + depId + ", which is " + stateName((*it)->state) + ": " + (*it)->reason;
                else if (!range.satisfiedBy((*it)->manifest->version))
                    problem = "needs " + depId + " " + range.text() + " but " + (*it)->manifest->versionText + " is installed";
                if (problem.empty()) continue;
                // A bridge that cannot join its modules here simply waits for them: no fault.
                if (!plugin->manifest->joins.empty()) {
                    std::lock_guard lock(mutex_);
                    plugin->state = State::Waiting;
                    plugin->reason = "joins " + joinedNames(*plugin->manifest) + ", which do not all run here (" + problem + ")";
                } else {
                    fail(*plugin, problem);
                }
                changed = true;
                break;
            }
        }
    }
}

std::vector<PluginHost::Plugin*> PluginHost::order() {
    std::vector<Plugin*> ordered;
    std::set<std::string> placed;
    std::vector<Plugin*> waiting;
    for (auto& plugin : plugins_)
        if (plugin->state == State::Pending) waiting.push_back(plugin.get());
    // Kahn's algorithm; ties go alphabetically (the folders were sorted), so the order is stable.
    for (bool progress = true; progress && !waiting.empty();) {
        progress = false;
        for (auto it = waiting.begin(); it != waiting.end();) {
            const auto& deps = (*it)->manifest->dependencies;
            const bool ready = std::all_of(deps.begin(), deps.end(), [&](const auto& dep) { return placed.count(dep.first); });
            if (ready) {
                placed.insert((*it)->id);
                ordered.push_back(*it);
                it = waiting.erase(it);
                progress = true;
            } else {
                ++it;
            }
        }
    }
    for (Plugin* plugin : waiting) fail(*plugin, "is part of a dependency cycle");
    return ordered;
}

std::string PluginHost::abiOf(Poco::SharedLibrary& library) const {
    for (int major = 0; major < 10; ++major) {
        const std::string symbol = "anchang_plugin_entry_v" + std::to_string(major);
        if (major != ANCHANG_ABI_MAJOR && library.hasSymbol(symbol)) return symbol;
    }
    return {};
}

void PluginHost::startOne(Plugin& plugin) {
    const PluginManifest& m = *plugin.manifest;
    for (const auto& [depId, range] : m.dependencies) {
        auto it = std::find_if(plugins_.begin(), plugins_.end(), [&](const auto& p) { return p->manifest && p->id == depId; });
        if ((*it)->state == State::Running) continue;
        if (m.joins.empty()) return fail(plugin, "needs " + depId + ", which failed to start");
        std::lock_guard lock(mutex_);
        plugin.state = State::Waiting;
        plugin.reason = "joins " + joinedNames(m) + ", but " + depId + " failed to start";
        return;
    }
    if (m.external) {
        // Out of process: nothing to load. It reaches the bus over tcp with its credential,
        // offering what this manifest declares (ServiceBroker asks externalOffers).
        for (const auto& permission : m.permissions)
            services_.policy.declare(permission.name, permission.roles, permission.description, m.id);
        for (const auto& [permission, roles] : m.grants) services_.policy.grant(permission, roles);
        services_.contracts.add(m);
        services_.notifications.addTemplates(m.id, m.notifications);
        services_.media.addKinds(m.id, m.media);
        std::lock_guard lock(mutex_);
        plugin.state = State::Running;
        plugin.reason = "out of process: connects over the tcp bus as " + m.id;
        return;
    }
    if (!std::filesystem::exists(m.library)) return fail(plugin, "library not found: " + m.library.string());
    try {
        plugin.library = std::make_unique<Poco::SharedLibrary>(m.library.string());
    } catch (const Poco::Exception& e) {
        return fail(plugin, "cannot load " + m.library.filename().string() + ": " + e.displayText());
    }
    if (!plugin.library->hasSymbol(ANCHANG_ENTRY_SYMBOL)) {
        const std::string other = abiOf(*plugin.library);
        if (!other.empty())
            return fail(plugin, "wrong ABI: the library exports " + other + ", this kernel speaks ABI " + std::to_string(ANCHANG_ABI_MAJOR));
        return fail(plugin, std::string("not an Anchang plugin: the library has no ") + ANCHANG_ENTRY_SYMBOL);
    }
    auto entry = reinterpret_cast<anchang_plugin_entry_fn>(plugin.library->getSymbol(ANCHANG_ENTRY_SYMBOL));
    const anchang_plugin* descriptor = nullptr;
    if (auto crash = CrashGuard::run([&] { descriptor = entry(); }))
        return fail(plugin, "crashed with " + *crash + " in its entry point");
    if (!descriptor) return fail(plugin, "the entry point returned no descriptor");
    if (descriptor->size < offsetof(anchang_plugin, destroy) + sizeof(descriptor->destroy) || !descriptor->start ||
        !descriptor->stop || !descriptor->destroy)
        return fail(plugin, "the plugin descriptor is incomplete");
    if (descriptor->abi_major != ANCHANG_ABI_MAJOR)
        return fail(plugin, "wrong ABI: the library was built for ABI " + std::to_string(descriptor->abi_major));
    if (!descriptor->id || m.id != descriptor->id)
        return fail(plugin, "the library says it is " + std::string(descriptor->id ? descriptor->id : "(null)") +
                                ", plugin.json says " + m.id);
    if (!descriptor->version || m.versionText != descriptor->version)
        return fail(plugin, "the library is version " + std::string(descriptor->version ? descriptor->version : "(null)") +
                                ", plugin.json says " + m.versionText);

    if (m.migrations) {
        try {
            int applied = Migrator(services_.store).apply(m.id, Migrator::loadDirectory(*m.migrations));
            if (applied) logger().information("plugin %s: applied %d migrations", m.id, applied);
        } catch (const std::exception& e) {
            return fail(plugin, e.what());
        }
    }

    nlohmann::json config = m.config;
    if (auto it = options_.settings.find(m.id); it != options_.settings.end()) config.merge_patch(it->second);
    plugin.context = std::make_unique<PluginContext>(m, services_, std::move(config));

    std::string error;
    int rc = ANCHANG_E_INTERNAL;
    auto crash = CrashGuard::run([&] { rc = descriptor->start(descriptor->self, plugin.context->host(), &appendTo, &error); });
    if (crash) {
        // Its state is unknown: leave the library and its memory alone and never call it again.
        plugin.context.release();
        return fail(plugin, "crashed with " + *crash + " during start");
    }
    if (rc != ANCHANG_OK || !plugin.context->refusal().empty()) {
        // The kernel's own refusal names what was refused; the plugin's message only echoes it.
        std::string reason = !plugin.context->refusal().empty() ? plugin.context->refusal() : error;
        if (reason.empty()) reason = "start returned status " + std::to_string(rc);
        descriptor->stop(descriptor->self);
        descriptor->destroy(descriptor->self);
        plugin.context.reset();
        return fail(plugin, "start failed: " + reason);
    }
    for (const auto& permission : m.permissions)
        services_.policy.declare(permission.name, permission.roles, permission.description, m.id);
    for (const auto& [permission, roles] : m.grants) services_.policy.grant(permission, roles);
    services_.hookCatalog.add(m);
    services_.contracts.add(m);
    services_.notifications.addTemplates(m.id, m.notifications);
    services_.media.addKinds(m.id, m.media);
    for (const auto& form : m.forms) services_.forms.add(m.id, form);
    try {
        plugin.context->commit();
    } catch (const std::exception& e) {
        plugin.context->stop();
        descriptor->stop(descriptor->self);
        descriptor->destroy(descriptor->self);
        plugin.context.reset();
        return fail(plugin, std::string("cannot go live: ") + e.what());
    }
    plugin.descriptor = descriptor;
    {
        std::lock_guard lock(mutex_);
        plugin.state = State::Running;
        plugin.reason.clear();
    }
    started_.push_back(&plugin);
    logger().information("plugin %s %s running", m.id, m.versionText);
}

void PluginHost::startAll() {
    resolve();
    for (Plugin* plugin : order()) startOne(*plugin);
    for (const auto& plugin : plugins_)
        if (plugin->state == State::Unlicensed || plugin->state == State::Disabled)
            logger().information("plugin %s %s: %s", plugin->id, std::string(stateName(plugin->state)), plugin->reason);
}

void PluginHost::stopAll() {
    for (auto it = started_.rbegin(); it != started_.rend(); ++it) {
        Plugin& plugin = **it;
        plugin.context->stop();
        plugin.descriptor->stop(plugin.descriptor->self);
        plugin.descriptor->destroy(plugin.descriptor->self);
        plugin.context.reset();
        logger().information("plugin %s stopped", plugin.id);
    }
    started_.clear();
}

nlohmann::json PluginHost::modules() const {
    std::lock_guard lock(mutex_);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& plugin : plugins_) {
        nlohmann::json entry = {{"id", plugin->id}, {"state", stateName(plugin->state)}, {"reason", plugin->reason}};
        // A running plugin that said it works only in part (no model installed, say).
        if (plugin->state == State::Running && plugin->context)
            if (std::string why = plugin->context->degraded(); !why.empty()) {
                entry["state"] = "degraded";
                entry["reason"] = std::move(why);
            }
        if (plugin->manifest) {
            entry["version"] = plugin->manifest->versionText;
            entry["name"] = plugin->manifest->name;
            entry["licence"] = plugin->manifest->licenceFeature.empty() ? nlohmann::json(nullptr)
                                                                        : nlohmann::json(plugin->manifest->licenceFeature);
            entry["web"] = plugin->manifest->web;
            if (!plugin->manifest->joins.empty()) entry["joins"] = plugin->manifest->joins;
            if (plugin->manifest->external) entry["external"] = true;
        } else {
            entry["version"] = nullptr;
        }
        out.push_back(std::move(entry));
    }
    return out;
}

nlohmann::json PluginHost::module(const std::string& id) const {
    for (const auto& plugin : plugins_) {
        if (plugin->id != id) continue;
        nlohmann::json out;
        {
            std::lock_guard lock(mutex_);
            out = {{"id", plugin->id}, {"state", stateName(plugin->state)}, {"reason", plugin->reason}, {"dir", plugin->dir.string()}};
        }
        if (!plugin->manifest) return out;
        const PluginManifest& m = *plugin->manifest;
        out["version"] = m.versionText;
        out["name"] = m.name;
        out["description"] = m.description;
        out["licence"] = m.licenceFeature;
        nlohmann::json deps = nlohmann::json::object();
        for (const auto& [dep, range] : m.dependencies) deps[dep] = range.text();
        out["dependencies"] = deps;
        out["routes"] = nlohmann::json::array();
        for (const auto& r : m.routes)
            out["routes"].push_back({{"name", r.name}, {"method", r.method}, {"path", r.path}, {"permission", r.permission}});
        out["permissions"] = nlohmann::json::array();
        for (const auto& p : m.permissions)
            out["permissions"].push_back({{"name", p.name}, {"roles", p.roles}, {"description", p.description}});
        nlohmann::json services = nlohmann::json::array(), topics = nlohmann::json::array(), points = nlohmann::json::array();
        for (const auto& s : m.services) services.push_back({{"name", s.name}, {"description", s.description}, {"request", s.request}, {"reply", s.reply}});
        for (const auto& t : m.publishes) topics.push_back({{"name", t.name}, {"description", t.description}, {"body", t.body}, {"durable", t.durable}});
        for (const auto& p : m.extensionPoints)
            points.push_back({{"name", p.name}, {"description", p.description}, {"mode", p.mode == PluginManifest::ExtensionPoint::Mode::All ? "all" : "first"},
                              {"deadline_ms", p.deadlineMs}, {"input", p.input}, {"output", p.output}});
        nlohmann::json contributes = nlohmann::json::object();
        for (const auto& c : m.contributions) contributes[c.point] = c.service;
        out["bus"] = {{"publishes", topics}, {"subscribes", m.subscribes}, {"services", services}, {"calls", m.calls}, {"workers", m.workers}};
        out["extension_points"] = points;
        out["contributes"] = contributes;
        out["joins"] = m.joins;
        out["external"] = m.external;
        out["hooks"] = nlohmann::json::array();
        for (const auto& h : m.hooks)
            out["hooks"].push_back({{"name", h.name}, {"order", h.order}, {"description", h.description}});
        out["script_helpers"] = nlohmann::json::array();
        for (const auto& h : m.helpers) out["script_helpers"].push_back({{"name", h.name}, {"service", h.service}});
        out["forms"] = nlohmann::json::array();
        for (const auto& f : m.forms) out["forms"].push_back({{"id", f.id}, {"name", f.name}});
        out["web"] = m.web;
        return out;
    }
    throw std::out_of_range(id);
}

std::string PluginHost::explainService(const std::string& service) const {
    std::lock_guard lock(mutex_);
    for (const auto& plugin : plugins_) {
        if (!plugin->manifest || !plugin->manifest->declaresService(service)) continue;
        if (plugin->state == State::Running || plugin->state == State::Pending)
            return "module " + plugin->id + " is starting or stopping";
        return "module " + plugin->id + " is not enabled (" + stateName(plugin->state) + ": " + plugin->reason + ")";
    }
    return "no installed module offers it";
}

bool PluginHost::externalOffers(const std::string& client, const std::string& service) const {
    std::lock_guard lock(mutex_);
    for (const auto& plugin : plugins_)
        if (plugin->id == client && plugin->manifest && plugin->manifest->external && plugin->state == State::Running)
            return plugin->manifest->declaresService(service);
    return false;
}

bool PluginHost::offersSignIn(const std::string& role) const {
    std::lock_guard lock(mutex_);
    for (const auto& plugin : plugins_)
        if (plugin->manifest && plugin->state == State::Running &&
            std::find(plugin->manifest->signInRoles.begin(), plugin->manifest->signInRoles.end(), role) != plugin->manifest->signInRoles.end())
            return true;
    return false;
}

bool PluginHost::externalPublishes(const std::string& client, const std::string& topic) const {
    std::lock_guard lock(mutex_);
    for (const auto& plugin : plugins_)
        if (plugin->id == client && plugin->manifest && plugin->manifest->external && plugin->state == State::Running)
            return plugin->manifest->declaresPublish(topic);
    return false;
}

std::optional<std::string> PluginHost::readOnlyReason(const std::string& owner) const {
    if (!licence_.expired()) return std::nullopt;
    for (const auto& plugin : plugins_)
        if (plugin->id == owner && plugin->manifest && !plugin->manifest->licenceFeature.empty()) return licence_.problem();
    return std::nullopt;
}

} // namespace anchang
