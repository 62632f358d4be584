#pragma once
/// anchang::PluginManifest — a plugin's plugin.json, read and checked before its library is
/// loaded.
///
/// The manifest is the reviewable truth about a plugin: an operator can see every route and its
/// permission, every topic and service, before running any of its code, and the kernel refuses
/// at run time whatever the manifest did not declare. docs/plugins.md documents each field.

#include "form/FormField.h"
#include "plugin/SemVer.h"
#include "plugin/VersionRange.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace anchang {

class PluginManifest {
public:
    /// A route: the plugin's code names it, the manifest says where it is and who may call it.
    struct Route {
        std::string name;
        std::string method;
        std::string path;
        std::string permission;
    };
    /// Work the kernel's scheduler runs for each project: on a cron schedule read on the
    /// project's clock, or every N seconds.
    struct Job {
        std::string name; ///< local to the plugin ("idempotency_prune")
        std::string cron; ///< five fields, or empty for an interval job
        std::int64_t everyMs = 0;
        nlohmann::json description; ///< {"zh-CN","en"}
    };
    /// A kind of file the plugin keeps through the kernel's media store (a panorama, a face
    /// photo): which types, how large, who may upload and who may see it, and how long it lives.
    struct MediaKind {
        std::string name;
        std::vector<std::string> types; ///< MIME types, from the set MediaType recognises
        std::int64_t maxBytes = 0;
        std::string upload; ///< permission to upload and delete
        std::string read;   ///< permission to see
        int keepDays = 0;   ///< 0: kept until deleted
    };
    /// A bus service the plugin offers, with the shapes of what it takes and answers.
    struct Service {
        std::string name;
        nlohmann::json description;
        nlohmann::json request; ///< JSON Schema subset
        nlohmann::json reply;
    };
    /// A topic the plugin publishes ("visit.registered", or "push.registration.*" for a family).
    struct Topic {
        std::string name;
        nlohmann::json description;
        nlohmann::json body;
        /// Stored with the publisher's transaction and delivered at least once, in order, to
        /// every subscriber's durable position (docs/bus.md, "Durable events").
        bool durable = false;
        bool covers(const std::string& topic) const;
    };
    /// A point where other plugins may contribute: the plugin asks every running contributor
    /// (or the first) and takes their answers (docs/plugins.md, "Extension points").
    struct ExtensionPoint {
        std::string name;
        nlohmann::json description;
        enum class Mode { All, First } mode = Mode::All;
        int deadlineMs = 1000;
        nlohmann::json input;
        nlohmann::json output;
    };
    /// A service of this plugin that answers another plugin's extension point.
    struct Contribution {
        std::string point;
        std::string service;
    };
    struct Permission {
        std::string name;
        std::vector<std::string> roles; ///< roles granted it by default
        nlohmann::json description;     ///< {"zh-CN": "...", "en": "..."}
    };
    /// A point where project scripts can change the plugin's rule (docs/scripting.md).
    struct HookPoint {
        std::string name;
        int order = 100;                 ///< where it comes in the module's flow, for listing
        nlohmann::json description;
        nlohmann::json input;            ///< the shape of what the plugin passes in
        nlohmann::json output;           ///< the shape scripts must return
        nlohmann::json sample;           ///< an input to try scripts with
        std::string defaultSource;       ///< the built-in rule written as a script, a template
        int timeoutMs = 0;               ///< 0: the kernel's default budget
    };
    /// A read-only service scripts may call as anchang.helpers.<name>(args).
    struct ScriptHelper {
        std::string name;
        std::string service;
        nlohmann::json description;
    };
    /// A form the plugin shows; projects can add fields to it.
    struct Form {
        std::string id;
        nlohmann::json name;
        std::vector<FormField> fields;
        std::string validateHook; ///< a hook point for cross-field rules, or ""
    };

    /// Reads `dir`/plugin.json. Throws std::runtime_error with a reason a person can act on.
    static PluginManifest load(const std::filesystem::path& dir);
    static PluginManifest parse(const std::string& text, const std::filesystem::path& dir);
    /// Services written as in a manifest's bus.services, with its "schemas" for $ref: the
    /// kernel's own (kernel/contracts.json). Throws std::runtime_error like parse().
    static std::vector<Service> parseServices(const std::string& text);

    std::filesystem::path dir;
    std::string id;
    SemVer version;
    std::string versionText;
    int abi = 0;
    nlohmann::json name;        ///< {"zh-CN","en"}
    nlohmann::json description; ///< {"zh-CN","en"}
    std::filesystem::path library;
    /// The licence module that enables it; empty for always-on plugins such as core.
    std::string licenceFeature;
    std::map<std::string, VersionRange> dependencies;
    /// The modules a bridge joins: it needs no licence of its own and runs only while all of
    /// them run (the shape of Odoo's auto-install modules).
    std::vector<std::string> joins;
    /// An out-of-process plugin: no library; it connects over the tcp bus with a credential.
    bool external = false;
    /// Roles this plugin introduces, with their names ({"zh-CN","en"}), in the order the file
    /// lists them: the console offers roles in that order (receptionist before manager).
    std::vector<std::pair<std::string, nlohmann::json>> roles;
    /// Its roles that people without a password get by phone and one-time code, in one project.
    std::vector<std::string> signInRoles;
    /// Permissions of others (the kernel's, another module's) this plugin's roles hold by default.
    std::map<std::string, std::vector<std::string>> grants;
    std::optional<std::filesystem::path> migrations;
    std::vector<Permission> permissions;
    std::vector<Route> routes;
    std::vector<Topic> publishes;
    std::vector<std::string> subscribes; ///< topic prefixes ("visit.*" in the file becomes "visit.")
    std::vector<Service> services;
    /// The services of other plugins (and the kernel) this one calls.
    std::vector<std::string> calls;
    std::vector<ExtensionPoint> extensionPoints;
    std::vector<Contribution> contributions;
    int workers = 2;
    std::vector<HookPoint> hooks;
    std::vector<ScriptHelper> helpers;
    std::vector<Form> forms;
    std::vector<Job> jobs;
    std::vector<MediaKind> media;
    /// Texts the plugin may send through kernel.notify: name -> {"zh-CN","en"} with {param} places.
    std::map<std::string, nlohmann::json> notifications;
    nlohmann::json web = nlohmann::json::object();
    nlohmann::json config = nlohmann::json::object();

    bool declaresRoute(const std::string& method, const std::string& path, const std::string& permission) const;
    const Route* route(const std::string& name) const;
    /// The declaration covering `topic`, or null.
    const Topic* publication(const std::string& topic) const;
    bool declaresPublish(const std::string& topic) const { return publication(topic) != nullptr; }
    bool declaresSubscription(const std::string& prefix) const;
    const Service* service(const std::string& name) const;
    bool declaresService(const std::string& name) const { return service(name) != nullptr; }
    bool declaresCall(const std::string& service) const;
    const ExtensionPoint* extensionPoint(const std::string& name) const;
    const Job* job(const std::string& name) const;
    /// Every role the manifest names: declared ones and those its permissions and grants use.
    std::vector<std::string> rolesNamed() const;
};

} // namespace anchang
