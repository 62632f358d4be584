#include "app/KernelBusServices.h"

#include "alert/AlertCenter.h"
#include "app/KernelContracts.h"
#include "anchang/abi.h"
#include "anchang/sdk/Json.hpp"
#include "auth/SignInCodes.h"
#include "auth/UserDirectory.h"
#include "anchang/sdk/Error.hpp"
#include "anchang/sdk/Phone.hpp"
#include "media/MediaLibrary.h"
#include "media/MediaType.h"
#include "notify/NotificationCenter.h"
#include "table/CsvReader.h"
#include "table/XlsxReader.h"
#include "table/XlsxWriter.h"
#include "bus/Bus.h"
#include "plugin/BusContracts.h"
#include "plugin/PluginManifest.h"
#include "project/ProjectDirectory.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

namespace anchang {

namespace {

int reply(anchang_sink_fn sink, void* user, int status, const nlohmann::json& body) {
    const std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    sink(user, text.data(), text.size());
    return status;
}

int refuse(anchang_sink_fn sink, void* user, const std::string& code, const std::string& message) {
    return reply(sink, user, ANCHANG_E_INVALID, {{"code", code}, {"message", message}, {"status", 400}});
}

} // namespace

KernelBusServices::KernelBusServices(Bus& bus, UserDirectory& users, ProjectDirectory& projects, AlertCenter& alerts,
                                     NotificationCenter& notifications, MediaLibrary& media, SignInCodes& codes, BusContracts& contracts)
    : agent_(bus.agent("kernel", 2)), users_(users), projects_(projects), alerts_(alerts), notifications_(notifications), media_(media),
      codes_(codes) {
    // The shapes are written once, in kernel/contracts.json (also the source of docs/contracts.md).
    for (const auto& service : PluginManifest::parseServices(kernelContracts())) contracts.addService("kernel", service);
    agent_->serve("kernel.users.get", [](void* self, const anchang_bus_message* message, anchang_sink_fn sink, void* user) {
        auto& me = *static_cast<KernelBusServices*>(self);
        const auto body = sdk::Json::parse(message->body_json);
        const auto header = sdk::Json::parse(message->header_json);
        if (!body.is_object()) return refuse(sink, user, "kernel.invalid", "the body must be an object");
        const std::int64_t project = header.value("project", std::int64_t{0});
        nlohmann::json users = nlohmann::json::array();
        auto add = [&](const nlohmann::json& u) {
            auto principal = me.users_.principal(u["id"].get<std::int64_t>());
            users.push_back({{"id", u["id"]}, {"username", u["username"]}, {"display_name", u["display_name"]}, {"phone", u["phone"]},
                             {"active", u["active"]}, {"roles", principal ? principal->rolesIn(project) : std::vector<std::string>{}}});
        };
        if (body.contains("ids")) {
            if (!body["ids"].is_array()) return refuse(sink, user, "kernel.invalid", "ids must be a list");
            for (const auto& id : body["ids"]) {
                if (!id.is_number_integer()) continue;
                try {
                    add(me.users_.get(id));
                } catch (...) {
                    // An unknown id is simply not in the answer.
                }
            }
        } else if (body.contains("usernames")) {
            if (!body["usernames"].is_array()) return refuse(sink, user, "kernel.invalid", "usernames must be a list");
            for (const auto& u : me.users_.list(std::nullopt))
                for (const auto& name : body["usernames"])
                    if (u["username"] == name) add(u);
        } else if (body.contains("role")) {
            if (!project) return refuse(sink, user, "kernel.invalid", "a role lookup needs the project in the header");
            for (const auto& u : me.users_.list(project)) {
                for (const auto& r : u["roles"])
                    if (r["role"] == body["role"] && r["project_id"] == project) {
                        add(u);
                        break;
                    }
            }
        } else {
            return refuse(sink, user, "kernel.invalid", "give ids or role");
        }
        return reply(sink, user, ANCHANG_OK, {{"users", users}});
    }, this);
    agent_->serve("kernel.projects.list", [](void* self, const anchang_bus_message*, anchang_sink_fn sink, void* user) {
        auto& me = *static_cast<KernelBusServices*>(self);
        return reply(sink, user, ANCHANG_OK, {{"projects", me.projects_.all()}});
    }, this);
    agent_->serve("kernel.alert.raise", [](void* self, const anchang_bus_message* message, anchang_sink_fn sink, void* user) {
        auto& me = *static_cast<KernelBusServices*>(self);
        const auto body = sdk::Json::parse(message->body_json);
        const auto header = sdk::Json::parse(message->header_json);
        auto words = [&](const char* key) {
            return body.contains(key) && body[key].is_object() && body[key].contains("zh-CN") && body[key]["zh-CN"].is_string() &&
                   body[key].contains("en") && body[key]["en"].is_string();
        };
        if (!body.is_object() || !body.contains("kind") || !body["kind"].is_string() || !words("title") || !words("message"))
            return refuse(sink, user, "kernel.invalid", "an alert needs kind, title {zh-CN, en} and message {zh-CN, en}");
        if (body.contains("subject") && !body["subject"].is_string()) return refuse(sink, user, "kernel.invalid", "subject must be text");
        nlohmann::json detail = body.value("detail", nlohmann::json::object());
        detail["source"] = header.value("source", std::string{});
        const auto id = me.alerts_.raise(header.value("project", std::int64_t{0}),
                                         {body["kind"], body["title"], body["message"], detail, body.value("subject", std::string{})});
        return reply(sink, user, ANCHANG_OK, {{"id", id}});
    }, this);
    agent_->serve("kernel.alert.resolve", [](void* self, const anchang_bus_message* message, anchang_sink_fn sink, void* user) {
        auto& me = *static_cast<KernelBusServices*>(self);
        const auto body = sdk::Json::parse(message->body_json);
        const auto header = sdk::Json::parse(message->header_json);
        if (!body.is_object() || !body.contains("kind") || !body["kind"].is_string() || !body.contains("subject") || !body["subject"].is_string())
            return refuse(sink, user, "kernel.invalid", "resolve needs the kind and subject the alert was raised with");
        // A plugin closes its own alerts only: the kinds it raises start with its id.
        const std::string source = header.value("source", std::string{});
        if (body["kind"].get<std::string>().rfind(source + ".", 0) != 0)
            return refuse(sink, user, "kernel.forbidden", "a plugin resolves only its own alerts (" + source + ".*)");
        const int closed = me.alerts_.resolve(header.value("project", std::int64_t{0}), body["kind"], body["subject"]);
        return reply(sink, user, ANCHANG_OK, {{"closed", closed}});
    }, this);
    agent_->serve("kernel.notify", [](void* self, const anchang_bus_message* message, anchang_sink_fn sink, void* user) {
        auto& me = *static_cast<KernelBusServices*>(self);
        const auto body = sdk::Json::parse(message->body_json);
        const auto header = sdk::Json::parse(message->header_json);
        // The broker stamped the sender: a plugin speaks with its own templates only.
        try {
            return reply(sink, user, ANCHANG_OK,
                         me.notifications_.send(header.value("source", std::string{}), header.value("project", std::int64_t{0}), body));
        } catch (const sdk::Error& e) {
            return reply(sink, user, ANCHANG_E_INVALID, {{"code", e.code()}, {"message", e.what()}, {"status", e.status()}});
        }
    }, this);
    agent_->serve("kernel.phone_check.send", [](void* self, const anchang_bus_message* message, anchang_sink_fn sink, void* user) {
        auto& me = *static_cast<KernelBusServices*>(self);
        try {
            return reply(sink, user, ANCHANG_OK, me.sendPhoneCheck(sdk::Json::parse(message->header_json), sdk::Json::parse(message->body_json)));
        } catch (const sdk::Error& e) {
            return reply(sink, user, ANCHANG_E_INVALID, {{"code", e.code()}, {"message", e.what()}, {"status", e.status()}});
        }
    }, this);
    agent_->serve("kernel.phone_check.verify", [](void* self, const anchang_bus_message* message, anchang_sink_fn sink, void* user) {
        auto& me = *static_cast<KernelBusServices*>(self);
        try {
            return reply(sink, user, ANCHANG_OK, me.verifyPhoneCheck(sdk::Json::parse(message->header_json), sdk::Json::parse(message->body_json)));
        } catch (const sdk::Error& e) {
            return reply(sink, user, ANCHANG_E_INVALID, {{"code", e.code()}, {"message", e.what()}, {"status", e.status()}});
        }
    }, this);
    agent_->serve("kernel.media.get", [](void* self, const anchang_bus_message* message, anchang_sink_fn sink, void* user) {
        auto& me = *static_cast<KernelBusServices*>(self);
        const auto body = sdk::Json::parse(message->body_json);
        const auto header = sdk::Json::parse(message->header_json);
        if (!body.is_object() || !body.contains("id") || !body["id"].is_string())
            return refuse(sink, user, "kernel.invalid", "media.get needs the file's id");
        // Only the message's project: a module checking an attachment id of one project never
        // learns about another's.
        try {
            return reply(sink, user, ANCHANG_OK, me.media_.describe(header.value("project", std::int64_t{0}), body["id"]));
        } catch (const sdk::Error& e) {
            return reply(sink, user, ANCHANG_E_NOT_FOUND, {{"code", e.code()}, {"message", e.what()}, {"status", e.status()}});
        }
    }, this);
    agent_->serve("kernel.table.read", [](void* self, const anchang_bus_message* message, anchang_sink_fn sink, void* user) {
        auto& me = *static_cast<KernelBusServices*>(self);
        try {
            return reply(sink, user, ANCHANG_OK, me.readTable(sdk::Json::parse(message->header_json), sdk::Json::parse(message->body_json)));
        } catch (const sdk::Error& e) {
            return reply(sink, user, e.status() == 404 ? ANCHANG_E_NOT_FOUND : ANCHANG_E_INVALID,
                         {{"code", e.code()}, {"message", e.what()}, {"status", e.status()}});
        }
    }, this);
    agent_->serve("kernel.table.write", [](void* self, const anchang_bus_message* message, anchang_sink_fn sink, void* user) {
        auto& me = *static_cast<KernelBusServices*>(self);
        try {
            return reply(sink, user, ANCHANG_OK, me.writeTable(sdk::Json::parse(message->header_json), sdk::Json::parse(message->body_json)));
        } catch (const sdk::Error& e) {
            return reply(sink, user, e.status() == 404 ? ANCHANG_E_NOT_FOUND : e.status() >= 500 ? ANCHANG_E_INTERNAL : ANCHANG_E_INVALID,
                         {{"code", e.code()}, {"message", e.what()}, {"status", e.status()}});
        }
    }, this);
}

namespace {

/// The sign-in codes' store keeps a code per phone, project and role; a phone check is kept under
/// a name no sign-in role can have, bound to the module and its template, so a code texted for
/// one purpose opens neither a session nor another module's check.
std::string checkPurpose(const std::string& source, const std::string& templateName) { return "check:" + source + ":" + templateName; }

std::string checkedPhone(const nlohmann::json& body) {
    const std::string phone = body.contains("phone") && body["phone"].is_string() ? sdk::Phone::normalize(body["phone"].get<std::string>()) : "";
    if (phone.empty()) throw sdk::Error::invalid("kernel.invalid", "phone must be a mobile number");
    return phone;
}

} // namespace

nlohmann::json KernelBusServices::sendPhoneCheck(const nlohmann::json& header, const nlohmann::json& body) {
    if (!body.is_object() || !body.contains("template") || !body["template"].is_string())
        throw sdk::Error::invalid("kernel.invalid", "phone_check.send needs phone and template");
    const std::string phone = checkedPhone(body);
    const std::string source = header.value("source", std::string{});
    const std::string name = body["template"];
    // The code must be a secret parameter of the caller's own template: masked in the stored
    // record and the log, as the sign-in code is.
    const auto texts = notifications_.texts(source, name);
    const auto secret = texts.value("secret", nlohmann::json::array());
    if (std::find(secret.begin(), secret.end(), "code") == secret.end())
        throw sdk::Error::invalid("kernel.invalid", "template " + name + " must name {code} among its secret parameters");
    const std::int64_t project = header.value("project", std::int64_t{0});
    const auto issued = codes_.issue(phone, project, checkPurpose(source, name), body.value("address", std::string{}));
    if (issued.code.empty())
        throw sdk::Error(429, "kernel.phone_check_throttled", "too many codes for this phone; try again in " + std::to_string(issued.retryAfterS) + " s");
    nlohmann::json params = body.contains("params") && body["params"].is_object() ? body["params"] : nlohmann::json::object();
    params["code"] = issued.code;
    params["minutes"] = codes_.limits().lifetimeMs / 60000;
    nlohmann::json request = {{"recipient", {{"phone", phone}}}, {"template", name}, {"params", params}};
    if (body.contains("lang")) request["lang"] = body["lang"];
    notifications_.send(source, project, request);
    return {{"expires_in", codes_.limits().lifetimeMs / 1000}, {"resend_after", codes_.limits().resendAfterMs / 1000}};
}

nlohmann::json KernelBusServices::verifyPhoneCheck(const nlohmann::json& header, const nlohmann::json& body) {
    if (!body.is_object() || !body.contains("template") || !body["template"].is_string() || !body.contains("code") || !body["code"].is_string())
        throw sdk::Error::invalid("kernel.invalid", "phone_check.verify needs phone, template and code");
    const std::string phone = checkedPhone(body);
    const std::string purpose = checkPurpose(header.value("source", std::string{}), body["template"]);
    switch (codes_.verify(phone, header.value("project", std::int64_t{0}), purpose, body["code"])) {
    case SignInCodes::Check::Accepted: return {{"result", "accepted"}};
    case SignInCodes::Check::Wrong: return {{"result", "wrong"}};
    case SignInCodes::Check::Exhausted: return {{"result", "exhausted"}};
    case SignInCodes::Check::Invalid: break;
    }
    return {{"result", "invalid"}};
}

nlohmann::json KernelBusServices::readTable(const nlohmann::json& header, const nlohmann::json& body) {
    if (!body.is_object() || !body.contains("id") || !body["id"].is_string())
        throw sdk::Error::invalid("kernel.invalid", "table.read needs the file's id");
    const auto record = media_.describe(header.value("project", std::int64_t{0}), body["id"]);
    // A module reads the files uploaded to its own kinds: an import is no way into another's.
    if (record["plugin"] != header.value("source", std::string{}))
        throw sdk::Error::notFound("media.not_found", "no such file of this module: " + body["id"].get<std::string>());
    Table::Limits limits;
    if (body.contains("max_rows") && body["max_rows"].is_number_integer())
        limits.maxRows = static_cast<std::size_t>(std::clamp<std::int64_t>(body["max_rows"], 1, 100000));
    const std::string type = record["content_type"];
    Table table;
    if (type == MediaType::kXlsx) table = XlsxReader::read(media_.file(record), limits);
    else if (type == "text/csv") table = CsvReader::read(media_.file(record), limits);
    else throw sdk::Error(415, "table.not_a_table", "the file is " + type + ", not a workbook or CSV");
    return {{"sheet", table.sheet}, {"rows", table.rows}, {"truncated", table.truncated}};
}

nlohmann::json KernelBusServices::writeTable(const nlohmann::json& header, const nlohmann::json& body) {
    if (!body.is_object() || !body.contains("kind") || !body["kind"].is_string() || !body.contains("name") || !body["name"].is_string())
        throw sdk::Error::invalid("kernel.invalid", "table.write needs kind, name, and columns and rows or sheets");
    const std::string plugin = header.value("source", std::string{});
    const auto* kind = media_.kind(plugin, body["kind"]);
    if (!kind || std::find(kind->types.begin(), kind->types.end(), MediaType::kXlsx) == kind->types.end())
        throw sdk::Error::invalid("table.no_kind", plugin + " declares no media kind " + body["kind"].get<std::string>() + " that takes .xlsx");
    const auto file = media_.scratch(".xlsx");
    struct Cleanup {
        std::filesystem::path path;
        ~Cleanup() {
            std::error_code ignored;
            std::filesystem::remove(path, ignored);
        }
    } cleanup{file};
    if (body.contains("sheets")) XlsxWriter::write(file, body["sheets"]);
    else XlsxWriter::write(file, body.value("sheet", std::string("Sheet1")), body.value("columns", nlohmann::json()), body.value("rows", nlohmann::json()));
    const auto acting = header.value("user", nlohmann::json::object());
    std::ifstream in(file, std::ios::binary);
    return media_.store({header.value("project", std::int64_t{0}), plugin, body["kind"], body["name"],
                         acting.is_object() ? acting.value("id", std::int64_t{0}) : 0, static_cast<std::int64_t>(std::filesystem::file_size(file))},
                        in);
}

KernelBusServices::~KernelBusServices() { stop(); }

void KernelBusServices::start() { agent_->start(); }

void KernelBusServices::stop() {
    if (agent_) agent_->stop();
}

} // namespace anchang
