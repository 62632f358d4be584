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
    struct Route {
        std::string method;
        std::string path;
        std::string permission;
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
    std::optional<std::filesystem::path> migrations;
    std::vector<Permission> permissions;
    std::vector<Route> routes;
    std::vector<std::string> publishes;  ///< topics, or "prefix.*"
    std::vector<std::string> subscribes; ///< topic prefixes ("visit.*" in the file becomes "visit.")
    std::vector<std::string> services;
    int workers = 2;
    std::vector<HookPoint> hooks;
    std::vector<ScriptHelper> helpers;
    std::vector<Form> forms;
    nlohmann::json web = nlohmann::json::object();
    nlohmann::json config = nlohmann::json::object();

    bool declaresRoute(const std::string& method, const std::string& path, const std::string& permission) const;
    bool declaresPublish(const std::string& topic) const;
    bool declaresSubscription(const std::string& prefix) const;
    bool declaresService(const std::string& service) const;
};

} // namespace anchang
