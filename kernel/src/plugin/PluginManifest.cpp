#include "plugin/PluginManifest.h"

#include "anchang/sdk/Json.hpp"
#include "bus/BusProtocol.h"
#include "form/JsonSchemaSubset.h"

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace anchang {

namespace {

constexpr std::uintmax_t kMaxManifestBytes = 1 << 20;

[[noreturn]] void refuse(const std::string& why) { throw std::runtime_error("plugin.json: " + why); }

const nlohmann::json& need(const nlohmann::json& object, const char* key, nlohmann::json::value_t type, const char* what) {
    auto it = object.find(key);
    if (it == object.end()) refuse(std::string("\"") + key + "\" is missing");
    const bool numberOk = type == nlohmann::json::value_t::number_integer && it->is_number_integer();
    if (it->type() != type && !numberOk) refuse(std::string("\"") + key + "\" must be " + what);
    return *it;
}

std::vector<std::string> names(const nlohmann::json& object, const char* key, bool allowWildcard) {
    std::vector<std::string> out;
    auto it = object.find(key);
    if (it == object.end()) return out;
    if (!it->is_array()) refuse(std::string("bus.") + key + " must be a list");
    for (const auto& item : *it) {
        if (!item.is_string()) refuse(std::string("bus.") + key + " must hold names");
        std::string name = item.get<std::string>();
        std::string checked = name;
        if (allowWildcard && checked.ends_with(".*")) checked.resize(checked.size() - 2);
        if (!BusProtocol::validName(checked)) refuse(std::string("bus.") + key + ": not a valid name: " + name);
        out.push_back(name);
    }
    return out;
}

bool validRoutePath(const std::string& path) {
    static const std::regex pattern(R"(/api/v1(/([a-z0-9][a-z0-9_.-]*|\{[a-z_][a-z0-9_]*\}))+)");
    return std::regex_match(path, pattern);
}

bool safeRelative(const std::filesystem::path& path) {
    if (path.empty() || path.is_absolute()) return false;
    for (const auto& part : path)
        if (part == "..") return false;
    return true;
}

} // namespace

PluginManifest PluginManifest::load(const std::filesystem::path& dir) {
    const auto file = dir / "plugin.json";
    std::error_code error;
    const auto size = std::filesystem::file_size(file, error);
    if (error) refuse("cannot read " + file.string());
    if (size > kMaxManifestBytes) refuse("larger than 1 MiB");
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), dir);
}

namespace {

PluginManifest read(const nlohmann::json& raw, const std::filesystem::path& dir) {
    using T = nlohmann::json::value_t;
    using HookPoint = PluginManifest::HookPoint;
    using ScriptHelper = PluginManifest::ScriptHelper;
    using Form = PluginManifest::Form;
    using Permission = PluginManifest::Permission;
    using Route = PluginManifest::Route;
    PluginManifest m;
    m.dir = dir;
    m.id = need(raw, "id", T::string, "a string").get<std::string>();
    static const std::regex idPattern("[a-z][a-z0-9_]{1,31}");
    if (!std::regex_match(m.id, idPattern)) refuse("\"id\" must be 2-32 lower-case letters, digits or _");
    m.versionText = need(raw, "version", T::string, "a string like 1.2.3").get<std::string>();
    auto version = SemVer::parse(m.versionText);
    if (!version) refuse("\"version\" is not a version like 1.2.3: " + m.versionText);
    m.version = *version;
    m.abi = need(raw, "abi", T::number_integer, "an integer").get<int>();
    m.name = raw.value("name", nlohmann::json{{"en", m.id}});
    m.description = raw.value("description", nlohmann::json::object());

    const std::filesystem::path library = need(raw, "library", T::string, "a file name").get<std::string>();
    if (!safeRelative(library)) refuse("\"library\" must be a file inside the plugin folder");
    m.library = dir / library;

    if (raw.contains("licence")) {
        if (!raw["licence"].is_string() && !raw["licence"].is_null()) refuse("\"licence\" must be a module name or null");
        if (raw["licence"].is_string()) m.licenceFeature = raw["licence"].get<std::string>();
    }

    if (raw.contains("dependencies")) {
        const auto& deps = raw["dependencies"];
        if (!deps.is_object()) refuse("\"dependencies\" must map plugin ids to version ranges");
        for (const auto& [dep, range] : deps.items()) {
            if (!range.is_string()) refuse("dependency " + dep + " needs a version range string");
            auto parsed = VersionRange::parse(range.get<std::string>());
            if (!parsed) refuse("dependency " + dep + ": not a version range: " + range.get<std::string>());
            if (dep == m.id) refuse("a plugin cannot depend on itself");
            m.dependencies.emplace(dep, *parsed);
        }
    }

    if (raw.contains("migrations")) {
        if (!raw["migrations"].is_string()) refuse("\"migrations\" must be a folder name");
        std::filesystem::path folder = raw["migrations"].get<std::string>();
        if (!safeRelative(folder)) refuse("\"migrations\" must be a folder inside the plugin folder");
        m.migrations = dir / folder;
    }

    if (raw.contains("permissions")) {
        const auto& perms = raw["permissions"];
        if (!perms.is_object()) refuse("\"permissions\" must map permission names to {roles, description}");
        for (const auto& [name, decl] : perms.items()) {
            if (!name.starts_with(m.id + ".")) refuse("permission " + name + " must start with \"" + m.id + ".\"");
            if (!decl.is_object() || !decl.contains("roles") || !decl["roles"].is_array())
                refuse("permission " + name + " needs a list of roles");
            Permission p{name, {}, decl.value("description", nlohmann::json::object())};
            for (const auto& role : decl["roles"]) {
                if (!role.is_string()) refuse("permission " + name + ": roles must be strings");
                p.roles.push_back(role.get<std::string>());
            }
            m.permissions.push_back(std::move(p));
        }
    }

    if (raw.contains("routes")) {
        const auto& routes = raw["routes"];
        if (!routes.is_array()) refuse("\"routes\" must be a list");
        static const std::vector<std::string> methods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
        for (const auto& r : routes) {
            if (!r.is_object()) refuse("each route must be an object");
            Route route{need(r, "method", T::string, "an HTTP method").get<std::string>(),
                        need(r, "path", T::string, "a path").get<std::string>(),
                        need(r, "permission", T::string, "a permission name").get<std::string>()};
            if (std::find(methods.begin(), methods.end(), route.method) == methods.end())
                refuse("route method must be one of GET POST PUT PATCH DELETE: " + route.method);
            if (!validRoutePath(route.path)) refuse("route path must look like /api/v1/name/{param}: " + route.path);
            const bool declared = std::any_of(m.permissions.begin(), m.permissions.end(),
                                              [&](const Permission& p) { return p.name == route.permission; });
            if (!declared && route.permission != "public" && route.permission != "authenticated")
                refuse("route " + route.method + " " + route.path + " uses undeclared permission " + route.permission);
            m.routes.push_back(std::move(route));
        }
    }

    if (raw.contains("bus")) {
        const auto& bus = raw["bus"];
        if (!bus.is_object()) refuse("\"bus\" must be an object");
        m.publishes = names(bus, "publishes", true);
        m.subscribes = names(bus, "subscribes", true);
        // "visit.*" subscribes to the prefix "visit."; a plain name to that topic.
        for (auto& prefix : m.subscribes)
            if (prefix.ends_with(".*")) prefix.pop_back();
        m.services = names(bus, "services", false);
        if (bus.contains("workers")) {
            if (!bus["workers"].is_number_integer() || bus["workers"].get<int>() < 1 || bus["workers"].get<int>() > 16)
                refuse("bus.workers must be an integer from 1 to 16");
            m.workers = bus["workers"].get<int>();
        }
    }

    if (raw.contains("hooks")) {
        if (!raw["hooks"].is_array()) refuse("\"hooks\" must be a list");
        for (const auto& h : raw["hooks"]) {
            if (!h.is_object()) refuse("each hook point must be an object");
            HookPoint hook;
            hook.name = need(h, "name", T::string, "a name").get<std::string>();
            if (!hook.name.starts_with(m.id + ".") || !BusProtocol::validName(hook.name))
                refuse("hook point " + hook.name + " must be a dotted name starting with \"" + m.id + ".\"");
            hook.order = h.value("order", 100);
            hook.description = h.value("description", nlohmann::json::object());
            for (auto [key, target] : {std::pair{"input", &hook.input}, std::pair{"output", &hook.output}}) {
                *target = h.value(key, nlohmann::json::object());
                const auto problems = JsonSchemaSubset::check(*target);
                if (!problems.empty()) refuse("hook point " + hook.name + " " + key + problems.front());
            }
            hook.sample = h.value("sample", nlohmann::json::object());
            if (h.contains("timeout_ms")) {
                if (!h["timeout_ms"].is_number_integer() || h["timeout_ms"] < 1 || h["timeout_ms"] > 1000)
                    refuse("hook point " + hook.name + ": timeout_ms must be 1-1000");
                hook.timeoutMs = h["timeout_ms"];
            }
            if (h.contains("default")) {
                if (!h["default"].is_string() || !safeRelative(h["default"].get<std::string>()))
                    refuse("hook point " + hook.name + ": default must be a script file inside the plugin folder");
                std::ifstream in(dir / h["default"].get<std::string>(), std::ios::binary);
                if (!in) refuse("hook point " + hook.name + ": default script not found: " + h["default"].get<std::string>());
                std::ostringstream source;
                source << in.rdbuf();
                hook.defaultSource = source.str();
            }
            m.hooks.push_back(std::move(hook));
        }
    }
    if (raw.contains("script_helpers")) {
        if (!raw["script_helpers"].is_array()) refuse("\"script_helpers\" must be a list");
        static const std::regex helperName("[a-zA-Z][a-zA-Z0-9]{0,39}");
        for (const auto& h : raw["script_helpers"]) {
            if (!h.is_object()) refuse("each script helper must be an object");
            ScriptHelper helper{need(h, "name", T::string, "a name").get<std::string>(),
                                need(h, "service", T::string, "a service name").get<std::string>(),
                                h.value("description", nlohmann::json::object())};
            if (!std::regex_match(helper.name, helperName)) refuse("script helper names are JavaScript identifiers: " + helper.name);
            if (std::find(m.services.begin(), m.services.end(), helper.service) == m.services.end())
                refuse("script helper " + helper.name + " calls " + helper.service + ", which bus.services does not declare");
            m.helpers.push_back(std::move(helper));
        }
    }
    if (raw.contains("forms")) {
        if (!raw["forms"].is_array()) refuse("\"forms\" must be a list");
        for (const auto& f : raw["forms"]) {
            if (!f.is_object()) refuse("each form must be an object");
            Form form;
            form.id = need(f, "id", T::string, "a form id").get<std::string>();
            if (!form.id.starts_with(m.id + ".") || !BusProtocol::validName(form.id))
                refuse("form " + form.id + " must be a dotted name starting with \"" + m.id + ".\"");
            form.name = f.value("name", nlohmann::json::object());
            for (const auto& field : f.value("fields", nlohmann::json::array())) {
                try {
                    form.fields.push_back(FormField::parse(field));
                } catch (const std::invalid_argument& e) {
                    refuse("form " + form.id + ": " + e.what());
                }
            }
            form.validateHook = f.value("validate_hook", std::string{});
            if (!form.validateHook.empty() && std::none_of(m.hooks.begin(), m.hooks.end(), [&](const HookPoint& h) {
                    return h.name == form.validateHook;
                }))
                refuse("form " + form.id + ": validate_hook " + form.validateHook + " is not one of its hook points");
            m.forms.push_back(std::move(form));
        }
    }
    if (raw.contains("web")) {
        if (!raw["web"].is_object()) refuse("\"web\" must be an object");
        m.web = raw["web"];
        static const std::regex pagePath(R"(/[a-z0-9][a-z0-9/_-]*)");
        static const std::regex component(R"([A-Z][A-Za-z0-9]*\.vue)");
        static const std::set<std::string> layouts = {"console", "pad", "phone", "screen"};
        if (m.web.contains("pages") && !m.web["pages"].is_array()) refuse("\"web.pages\" must be a list");
        for (const auto& page : m.web.value("pages", nlohmann::json::array())) {
            if (!page.is_object()) refuse("each web page must be an object");
            const std::string path = need(page, "path", T::string, "a path").get<std::string>();
            if (!std::regex_match(path, pagePath)) refuse("web page path must look like /registration/front-desk: " + path);
            if (!std::regex_match(need(page, "component", T::string, "a .vue file name").get<std::string>(), component))
                refuse("web page component must be a file in web/ like FrontDesk.vue");
            if (!page.contains("title") || !page["title"].is_object() || !page["title"].contains("zh-CN"))
                refuse("web page " + path + " needs a title with \"zh-CN\"");
            if (!layouts.count(page.value("layout", std::string("console"))))
                refuse("web page " + path + ": layout must be console, pad, phone or screen");
            if (page.contains("roles") && !page["roles"].is_array()) refuse("web page " + path + ": roles must be a list");
        }
    }
    if (raw.contains("config")) {
        if (!raw["config"].is_object()) refuse("\"config\" must be an object");
        m.config = raw["config"];
    }
    return m;
}

} // namespace

PluginManifest PluginManifest::parse(const std::string& text, const std::filesystem::path& dir) {
    nlohmann::json raw = sdk::Json::parse(text);
    if (raw.is_discarded()) refuse("not valid JSON");
    if (!raw.is_object()) refuse("must be a JSON object");
    try {
        return read(raw, dir);
    } catch (const nlohmann::json::exception& e) {
        // A field of another type than the format says ("order": "1", "pages": {}): say so in
        // the plugin's terms, not as a crash of the loader.
        refuse(std::string("a field has the wrong type (") + e.what() + ")");
    }
}

bool PluginManifest::declaresRoute(const std::string& method, const std::string& path, const std::string& permission) const {
    return std::any_of(routes.begin(), routes.end(), [&](const Route& r) {
        return r.method == method && r.path == path && r.permission == permission;
    });
}

bool PluginManifest::declaresPublish(const std::string& topic) const {
    return std::any_of(publishes.begin(), publishes.end(), [&](const std::string& declared) {
        if (declared.ends_with(".*")) return topic.starts_with(declared.substr(0, declared.size() - 1));
        return declared == topic;
    });
}

bool PluginManifest::declaresSubscription(const std::string& prefix) const {
    return std::find(subscribes.begin(), subscribes.end(), prefix) != subscribes.end();
}

bool PluginManifest::declaresService(const std::string& service) const {
    return std::find(services.begin(), services.end(), service) != services.end();
}

} // namespace anchang
