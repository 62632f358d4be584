#include "plugin/PluginManifest.h"

#include "anchang/sdk/Json.hpp"
#include "bus/BusProtocol.h"
#include "form/JsonSchemaSubset.h"
#include "media/MediaType.h"
#include "schedule/CronSchedule.h"

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

/// A JSON Schema (subset) at `key` of `object`, or `{}` (anything) when absent.
nlohmann::json schemaAt(const nlohmann::json& object, const char* key, const std::string& what, bool required) {
    const auto it = object.find(key);
    if (it == object.end()) {
        if (required) refuse(what + " needs a \"" + key + "\" schema");
        return nlohmann::json::object();
    }
    const auto problems = JsonSchemaSubset::check(*it);
    if (!problems.empty()) refuse(what + " " + key + problems.front());
    return *it;
}

std::vector<PluginManifest::Service> readServices(const nlohmann::json& declared) {
    if (!declared.is_object()) refuse("bus.services must map service names to {request, reply}");
    std::vector<PluginManifest::Service> out;
    for (const auto& [name, decl] : declared.items()) {
        if (!BusProtocol::validName(name)) refuse("bus.services: not a valid name: " + name);
        if (!decl.is_object()) refuse("service " + name + " must be {request, reply, description}");
        out.push_back({name, decl.value("description", nlohmann::json::object()), schemaAt(decl, "request", "service " + name, true),
                       schemaAt(decl, "reply", "service " + name, true)});
    }
    return out;
}

/// {"zh-CN": ..., "en": ...} with at least the Chinese text.
nlohmann::json label(const nlohmann::json& value, const std::string& what) {
    if (!value.is_object() || !value.contains("zh-CN") || !value["zh-CN"].is_string()) refuse(what + " needs a name with \"zh-CN\"");
    return value;
}

const std::regex& roleName() {
    static const std::regex pattern("[a-z][a-z0-9_]{1,31}");
    return pattern;
}

bool validRoutePath(const std::string& path) {
    static const std::regex pattern(R"(/api/v1(/([a-z0-9][a-z0-9_.-]*|\{[a-z_][a-z0-9_]*\}))+)");
    return std::regex_match(path, pattern);
}

/// Replaces each {"$ref": "#/schemas/<name>"} with the manifest's shared schema of that name,
/// so a shape used by several services (core's customer) is written once. Keywords beside the
/// $ref override the shared ones ({"$ref": ..., "type": ["object", "null"]}: the same shape, or
/// nothing). Refs may nest; a cycle or an unknown name is refused.
void resolveRefs(nlohmann::json& node, const nlohmann::json& schemas, int depth) {
    if (depth > 16) refuse("schemas: $ref nests too deep (a cycle?)");
    if (node.is_object()) {
        if (node.contains("$ref")) {
            const auto& ref = node["$ref"];
            static const std::string prefix = "#/schemas/";
            if (!ref.is_string() || !ref.get<std::string>().starts_with(prefix)) refuse("$ref must look like \"#/schemas/customer\"");
            const std::string name = ref.get<std::string>().substr(prefix.size());
            if (!schemas.contains(name)) refuse("$ref names no schema of \"schemas\": " + name);
            nlohmann::json resolved = schemas[name];
            resolveRefs(resolved, schemas, depth + 1);
            node.erase("$ref");
            for (auto& [key, value] : node.items()) resolved[key] = value;
            node = std::move(resolved);
            return;
        }
        for (auto& [key, value] : node.items()) resolveRefs(value, schemas, depth);
    } else if (node.is_array()) {
        for (auto& value : node) resolveRefs(value, schemas, depth);
    }
}

/// Resolves every $ref of `raw` against its "schemas", which it then drops.
void withoutRefs(nlohmann::json& raw) {
    if (!raw.contains("schemas")) return;
    if (!raw["schemas"].is_object()) refuse("\"schemas\" must map names to JSON Schemas");
    const nlohmann::json schemas = raw["schemas"];
    raw.erase("schemas");
    resolveRefs(raw, schemas, 0);
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
    using Topic = PluginManifest::Topic;
    using ExtensionPoint = PluginManifest::ExtensionPoint;
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

    if (raw.contains("external")) {
        if (!raw["external"].is_boolean()) refuse("\"external\" must be true or false");
        m.external = raw["external"];
    }
    if (m.external) {
        if (raw.contains("library") && !raw["library"].is_null()) refuse("an external plugin has no library: it connects over the tcp bus");
    } else {
        const std::filesystem::path library = need(raw, "library", T::string, "a file name").get<std::string>();
        if (!safeRelative(library)) refuse("\"library\" must be a file inside the plugin folder");
        m.library = dir / library;
    }

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

    if (raw.contains("bridge")) {
        const auto& bridge = raw["bridge"];
        if (!bridge.is_array() || bridge.size() < 2) refuse("\"bridge\" must list the two or more modules it joins");
        for (const auto& joined : bridge) {
            if (!joined.is_string() || !std::regex_match(joined.get<std::string>(), roleName()) || joined == m.id)
                refuse("\"bridge\" must list plugin ids");
            m.joins.push_back(joined.get<std::string>());
            // A bridge waits for what it joins, whatever their versions.
            m.dependencies.emplace(joined.get<std::string>(), *VersionRange::parse("*"));
        }
        if (!m.licenceFeature.empty()) refuse("a bridge needs no licence of its own: it runs when the modules it joins run");
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

    if (raw.contains("roles")) {
        const auto& roles = raw["roles"];
        if (!roles.is_object()) refuse("\"roles\" must map role names to their names in zh-CN and en");
        for (const auto& [role, name] : roles.items()) {
            if (!std::regex_match(role, roleName()) || role == "admin") refuse("not a role name a plugin may introduce: " + role);
            m.roles.emplace_back(role, label(name, "role " + role));
        }
    }
    if (raw.contains("sign_in_roles")) {
        // Roles of people without a password (buyers, everyone-brokers), who sign in with a
        // phone and a one-time code: only this plugin's own, never a staff role of another's.
        const auto& signIn = raw["sign_in_roles"];
        if (!signIn.is_array()) refuse("\"sign_in_roles\" must list roles this plugin declares");
        for (const auto& role : signIn) {
            const bool own = role.is_string() && std::any_of(m.roles.begin(), m.roles.end(), [&](const auto& r) { return r.first == role; });
            if (!own) refuse("sign_in_roles may name only roles this plugin declares under \"roles\": " + role.dump());
            m.signInRoles.push_back(role.get<std::string>());
        }
    }
    if (raw.contains("grants")) {
        const auto& grants = raw["grants"];
        if (!grants.is_object()) refuse("\"grants\" must map other plugins' permissions to lists of roles");
        for (const auto& [permission, roles] : grants.items()) {
            if (!BusProtocol::validName(permission) || permission.starts_with(m.id + "."))
                refuse("grants name other plugins' permissions (this plugin's own list their roles): " + permission);
            if (!roles.is_array()) refuse("grant " + permission + " needs a list of roles");
            for (const auto& role : roles) {
                if (!role.is_string() || !std::regex_match(role.get<std::string>(), roleName())) refuse("grant " + permission + ": roles must be role names");
                m.grants[permission].push_back(role.get<std::string>());
            }
        }
    }

    if (raw.contains("routes")) {
        const auto& routes = raw["routes"];
        if (!routes.is_array()) refuse("\"routes\" must be a list");
        static const std::vector<std::string> methods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
        for (const auto& r : routes) {
            if (!r.is_object()) refuse("each route must be an object");
            Route route{need(r, "name", T::string, "a name the plugin's code uses").get<std::string>(),
                        need(r, "method", T::string, "an HTTP method").get<std::string>(),
                        need(r, "path", T::string, "a path").get<std::string>(),
                        need(r, "permission", T::string, "a permission name").get<std::string>()};
            if (!BusProtocol::validName(route.name)) refuse("route name must be a lower-case dotted name: " + route.name);
            if (m.route(route.name)) refuse("two routes are named " + route.name);
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

    if (raw.contains("notifications")) {
        const auto& notifications = raw["notifications"];
        if (!notifications.is_object()) refuse("\"notifications\" must map template names to their texts {zh-CN, en}");
        static const std::regex templateName("[a-z][a-z0-9_]{0,47}");
        for (const auto& [name, texts] : notifications.items()) {
            if (!std::regex_match(name, templateName)) refuse("notification template name must be lower-case letters, digits and _: " + name);
            label(texts, "notification " + name);
            if (texts.contains("en") && !texts["en"].is_string()) refuse("notification " + name + ": the English text must be a string");
            if (texts.contains("secret")) {
                const auto& secret = texts["secret"];
                if (!secret.is_array() || !std::all_of(secret.begin(), secret.end(), [](const auto& s) { return s.is_string(); }))
                    refuse("notification " + name + ": \"secret\" must list parameter names");
            }
            m.notifications[name] = texts;
        }
    }

    if (raw.contains("media")) {
        const auto& media = raw["media"];
        if (!media.is_object()) refuse("\"media\" must map kinds of file to {types, max_bytes, upload, read, keep_days}");
        static const std::regex kindName("[a-z][a-z0-9_]{0,31}");
        for (const auto& [name, decl] : media.items()) {
            if (!std::regex_match(name, kindName)) refuse("media kind name must be lower-case letters, digits and _: " + name);
            if (!decl.is_object()) refuse("media kind " + name + " must be an object");
            PluginManifest::MediaKind kind{name, {}, 0, "", "", 0};
            for (const auto& type : need(decl, "types", T::array, "a list of MIME types")) {
                if (!type.is_string() || !MediaType::known(type.get<std::string>()))
                    refuse("media kind " + name + ": the kernel recognises " + MediaType::knownList() + ", not " + type.dump());
                kind.types.push_back(type);
            }
            if (kind.types.empty()) refuse("media kind " + name + " needs at least one type");
            kind.maxBytes = need(decl, "max_bytes", T::number_integer, "a number of bytes").get<std::int64_t>();
            if (kind.maxBytes < 1 || kind.maxBytes > (std::int64_t{1} << 30)) refuse("media kind " + name + ": max_bytes must be 1 byte to 1 GiB");
            for (auto* field : {&kind.upload, &kind.read}) {
                const char* key = field == &kind.upload ? "upload" : "read";
                *field = need(decl, key, T::string, "a permission this plugin declares").get<std::string>();
                const bool declared = std::any_of(m.permissions.begin(), m.permissions.end(), [&](const Permission& p) { return p.name == *field; });
                if (!declared && *field != "authenticated") refuse("media kind " + name + ": " + key + " names undeclared permission " + *field);
            }
            if (decl.contains("keep_days")) {
                if (!decl["keep_days"].is_number_integer() || decl["keep_days"].get<int>() < 1) refuse("media kind " + name + ": keep_days must be a positive number");
                kind.keepDays = decl["keep_days"];
            }
            m.media.push_back(std::move(kind));
        }
    }

    if (raw.contains("jobs")) {
        const auto& jobs = raw["jobs"];
        if (!jobs.is_object()) refuse("\"jobs\" must map job names to {schedule | every_seconds, description}");
        static const std::regex jobName("[a-z][a-z0-9_]{0,47}");
        for (const auto& [name, decl] : jobs.items()) {
            if (!std::regex_match(name, jobName)) refuse("job name must be lower-case letters, digits and _: " + name);
            if (!decl.is_object()) refuse("job " + name + " must be an object");
            PluginManifest::Job job{name, "", 0, label(decl.value("description", nlohmann::json{{"zh-CN", name}, {"en", name}}), "job " + name)};
            const bool cron = decl.contains("schedule");
            const bool every = decl.contains("every_seconds");
            if (cron == every) refuse("job " + name + " needs either \"schedule\" (cron) or \"every_seconds\"");
            if (cron) {
                if (!decl["schedule"].is_string()) refuse("job " + name + ": schedule must be a cron expression");
                try {
                    job.cron = CronSchedule::parse(decl["schedule"].get<std::string>()).text();
                } catch (const std::invalid_argument& e) {
                    refuse("job " + name + ": " + e.what());
                }
            } else {
                if (!decl["every_seconds"].is_number_integer() || decl["every_seconds"].get<std::int64_t>() < 10 ||
                    decl["every_seconds"].get<std::int64_t>() > 7 * 86400)
                    refuse("job " + name + ": every_seconds must be a whole number from 10 to 604800");
                job.everyMs = decl["every_seconds"].get<std::int64_t>() * 1000;
            }
            m.jobs.push_back(std::move(job));
        }
    }

    if (raw.contains("bus")) {
        const auto& bus = raw["bus"];
        if (!bus.is_object()) refuse("\"bus\" must be an object");
        // Every service and topic comes with the shape of what travels: the contract others
        // rely on (docs/contracts.md is generated from these).
        if (bus.contains("services")) m.services = readServices(bus["services"]);
        if (bus.contains("publishes")) {
            if (!bus["publishes"].is_object()) refuse("bus.publishes must map topics to {body}");
            for (const auto& [name, decl] : bus["publishes"].items()) {
                const std::string checked = name.ends_with(".*") ? name.substr(0, name.size() - 2) : name;
                if (!BusProtocol::validName(checked)) refuse("bus.publishes: not a valid topic: " + name);
                if (!decl.is_object()) refuse("topic " + name + " must be {body, durable, description}");
                Topic topic{name, decl.value("description", nlohmann::json::object()), schemaAt(decl, "body", "topic " + name, true)};
                if (decl.contains("durable")) {
                    if (!decl["durable"].is_boolean()) refuse("topic " + name + ": durable must be true or false");
                    topic.durable = decl["durable"];
                }
                if (topic.durable && name.starts_with("push.")) refuse("topic " + name + ": pushes to browsers are never durable");
                m.publishes.push_back(std::move(topic));
            }
        }
        m.subscribes = names(bus, "subscribes", true);
        // "visit.*" subscribes to the prefix "visit."; a plain name to that topic.
        for (auto& prefix : m.subscribes)
            if (prefix.ends_with(".*")) prefix.pop_back();
        m.calls = names(bus, "calls", false);
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
            if (!m.declaresService(helper.service))
                refuse("script helper " + helper.name + " calls " + helper.service + ", which bus.services does not declare");
            m.helpers.push_back(std::move(helper));
        }
    }
    if (raw.contains("extension_points")) {
        const auto& points = raw["extension_points"];
        if (!points.is_object()) refuse("\"extension_points\" must map point names to {mode, deadline_ms, input, output}");
        for (const auto& [name, decl] : points.items()) {
            if (!name.starts_with(m.id + ".") || !BusProtocol::validName(name))
                refuse("extension point " + name + " must be a dotted name starting with \"" + m.id + ".\"");
            if (!decl.is_object()) refuse("extension point " + name + " must be an object");
            ExtensionPoint point{name, decl.value("description", nlohmann::json::object())};
            const std::string mode = decl.value("mode", std::string("all"));
            if (mode != "all" && mode != "first") refuse("extension point " + name + ": mode must be all or first");
            point.mode = mode == "all" ? ExtensionPoint::Mode::All : ExtensionPoint::Mode::First;
            if (decl.contains("deadline_ms")) {
                if (!decl["deadline_ms"].is_number_integer() || decl["deadline_ms"] < 10 || decl["deadline_ms"] > 10000)
                    refuse("extension point " + name + ": deadline_ms must be 10-10000");
                point.deadlineMs = decl["deadline_ms"];
            }
            point.input = schemaAt(decl, "input", "extension point " + name, true);
            point.output = schemaAt(decl, "output", "extension point " + name, true);
            m.extensionPoints.push_back(std::move(point));
        }
    }
    if (raw.contains("contributes")) {
        const auto& contributes = raw["contributes"];
        if (!contributes.is_object()) refuse("\"contributes\" must map other plugins' extension points to services of this one");
        for (const auto& [point, service] : contributes.items()) {
            if (!BusProtocol::validName(point)) refuse("contributes: not an extension point name: " + point);
            if (!service.is_string() || !m.declaresService(service.get<std::string>()))
                refuse("contribution to " + point + " must name a service of this plugin's bus.services");
            m.contributions.push_back({point, service.get<std::string>()});
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
            // Who sees a page is who holds its permission: an admin who grants the permission
            // grants the page too.
            const std::string permission = need(page, "permission", T::string, "a permission name").get<std::string>();
            const bool own = std::any_of(m.permissions.begin(), m.permissions.end(), [&](const Permission& p) { return p.name == permission; });
            if (!own && permission != "authenticated")
                refuse("web page " + path + " needs one of the plugin's own permissions, or \"authenticated\": " + permission);
        }
        if (m.web.contains("slots")) {
            if (!m.web["slots"].is_object()) refuse("\"web.slots\" must map slot names to {description}");
            for (const auto& [slot, decl] : m.web["slots"].items())
                if (!slot.starts_with(m.id + ".") || !BusProtocol::validName(slot) || !decl.is_object())
                    refuse("web slot " + slot + " must be a dotted name starting with \"" + m.id + ".\"");
        }
        if (m.web.contains("contributes")) {
            if (!m.web["contributes"].is_array()) refuse("\"web.contributes\" must be a list of {slot, component}");
            static const std::regex part(R"(([a-z][a-z0-9_-]*/)?[A-Z][A-Za-z0-9]*\.vue)");
            for (const auto& c : m.web["contributes"]) {
                if (!c.is_object()) refuse("each web contribution must be an object");
                if (!BusProtocol::validName(need(c, "slot", T::string, "a slot name").get<std::string>()))
                    refuse("web contribution: not a slot name: " + c["slot"].get<std::string>());
                if (!std::regex_match(need(c, "component", T::string, "a .vue file in web/").get<std::string>(), part))
                    refuse("web contribution component must be a file in web/ like DeskReportCode.vue");
                if (c.contains("order") && !c["order"].is_number_integer()) refuse("web contribution order must be an integer");
            }
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
        withoutRefs(raw);
        auto m = read(raw, dir);
        if (m.roles.size() > 1) {
            // nlohmann::json sorts keys; the file's order is the one its author chose for people.
            // The text already passed the depth-limited parse above, so a second parse is safe.
            const auto ordered = nlohmann::ordered_json::parse(text);
            std::vector<std::string> order;
            for (const auto& [role, name] : ordered["roles"].items()) order.push_back(role);
            std::stable_sort(m.roles.begin(), m.roles.end(), [&](const auto& a, const auto& b) {
                return std::find(order.begin(), order.end(), a.first) < std::find(order.begin(), order.end(), b.first);
            });
        }
        return m;
    } catch (const nlohmann::json::exception& e) {
        // A field of another type than the format says ("order": "1", "pages": {}): say so in
        // the plugin's terms, not as a crash of the loader.
        refuse(std::string("a field has the wrong type (") + e.what() + ")");
    }
}

std::vector<PluginManifest::Service> PluginManifest::parseServices(const std::string& text) {
    nlohmann::json raw = sdk::Json::parse(text);
    if (!raw.is_object()) refuse("not a JSON object");
    try {
        withoutRefs(raw);
        return readServices(raw.value("services", nlohmann::json::object()));
    } catch (const nlohmann::json::exception& e) {
        refuse(std::string("a field has the wrong type (") + e.what() + ")");
    }
}

bool PluginManifest::declaresRoute(const std::string& method, const std::string& path, const std::string& permission) const {
    return std::any_of(routes.begin(), routes.end(), [&](const Route& r) {
        return r.method == method && r.path == path && r.permission == permission;
    });
}

bool PluginManifest::Topic::covers(const std::string& topic) const {
    if (name.ends_with(".*")) return topic.starts_with(name.substr(0, name.size() - 1));
    return name == topic;
}

const PluginManifest::Route* PluginManifest::route(const std::string& name) const {
    for (const auto& r : routes)
        if (r.name == name) return &r;
    return nullptr;
}

const PluginManifest::Topic* PluginManifest::publication(const std::string& topic) const {
    for (const auto& declared : publishes)
        if (declared.covers(topic)) return &declared;
    return nullptr;
}

const PluginManifest::Service* PluginManifest::service(const std::string& name) const {
    for (const auto& s : services)
        if (s.name == name) return &s;
    return nullptr;
}

bool PluginManifest::declaresCall(const std::string& service) const {
    return std::find(calls.begin(), calls.end(), service) != calls.end() || declaresService(service);
}

const PluginManifest::ExtensionPoint* PluginManifest::extensionPoint(const std::string& name) const {
    for (const auto& p : extensionPoints)
        if (p.name == name) return &p;
    return nullptr;
}

const PluginManifest::Job* PluginManifest::job(const std::string& name) const {
    for (const auto& j : jobs)
        if (j.name == name) return &j;
    return nullptr;
}

std::vector<std::string> PluginManifest::rolesNamed() const {
    std::set<std::string> named;
    for (const auto& [role, name] : roles) named.insert(role);
    for (const auto& p : permissions) named.insert(p.roles.begin(), p.roles.end());
    for (const auto& [permission, held] : grants) named.insert(held.begin(), held.end());
    named.erase("admin");
    return {named.begin(), named.end()};
}

bool PluginManifest::declaresSubscription(const std::string& prefix) const {
    return std::find(subscribes.begin(), subscribes.end(), prefix) != subscribes.end();
}


} // namespace anchang
