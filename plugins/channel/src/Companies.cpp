#include "Companies.h"

#include <anchang/sdk/Fields.hpp>
#include <anchang/sdk/Json.hpp>
#include <anchang/sdk/Phone.hpp>

namespace anchang::channel {

namespace {

constexpr const char* kColumns =
    "id, parent_id, name, kind, external, protection_mode, visit_days, deal_days, hidden_formats, min_advance_minutes, sms_check, "
    "contract_from, contract_until, active, created_at";

bool knownKind(const std::string& kind) {
    return kind == "agency" || kind == "distributor" || kind == "platform" || kind == "internal" || kind == "everyone";
}

} // namespace

nlohmann::json Companies::shape(nlohmann::json row) const {
    row["hidden_formats"] = sdk::Json::parse(row["hidden_formats"].get<std::string>());
    for (const char* flag : {"external", "sms_check", "active"}) row[flag] = row[flag] == 1;
    return row;
}

nlohmann::json Companies::list(std::int64_t project) const {
    nlohmann::json out = nlohmann::json::array();
    for (auto& row : host_.db().query(std::string("SELECT ") + kColumns + " FROM channel_companies WHERE project_id = ? ORDER BY id", {project}))
        out.push_back(shape(std::move(row)));
    return out;
}

nlohmann::json Companies::get(std::int64_t project, std::int64_t id) const {
    auto row = host_.db().one(std::string("SELECT ") + kColumns + " FROM channel_companies WHERE project_id = ? AND id = ?", {project, id});
    if (!row) throw sdk::Error::notFound("channel.company_not_found", "no such channel company: " + std::to_string(id));
    return shape(std::move(*row));
}

nlohmann::json Companies::rules(const nlohmann::json& body) const {
    nlohmann::json out = nlohmann::json::object();
    if (body.contains("protection_mode")) {
        if (!body["protection_mode"].is_string() || !Protection::knownMode(body["protection_mode"]))
            throw sdk::Error::invalid("channel.invalid", "protection_mode must be report_deal, report_visit_deal or visit_deal");
        out["protection_mode"] = body["protection_mode"];
    }
    if (body.contains("visit_days")) out["visit_days"] = sdk::Fields::integer(body, "visit_days", 1, 90, 7, "channel.invalid");
    if (body.contains("deal_days")) out["deal_days"] = sdk::Fields::integer(body, "deal_days", 1, 365, 30, "channel.invalid");
    if (body.contains("min_advance_minutes"))
        out["min_advance_minutes"] = sdk::Fields::integer(body, "min_advance_minutes", 0, 7 * 24 * 60, 60, "channel.invalid");
    if (body.contains("hidden_formats")) {
        const auto& formats = body["hidden_formats"];
        if (!formats.is_array()) throw sdk::Error::invalid("channel.invalid", "hidden_formats must be a list of \"3-4\" and \"4-3\"");
        for (const auto& f : formats)
            if (f != "3-4" && f != "4-3") throw sdk::Error::invalid("channel.invalid", "hidden_formats must be a list of \"3-4\" and \"4-3\"");
        out["hidden_formats"] = formats.dump();
    }
    for (const char* flag : {"sms_check", "active", "external"})
        if (body.contains(flag)) {
            if (!body[flag].is_boolean()) throw sdk::Error::invalid("channel.invalid", std::string(flag) + " must be true or false");
            out[flag] = body[flag].get<bool>() ? 1 : 0;
        }
    for (const char* time : {"contract_from", "contract_until"})
        if (body.contains(time)) {
            if (!body[time].is_null() && !body[time].is_number_integer())
                throw sdk::Error::invalid("channel.invalid", std::string(time) + " must be a time in milliseconds or null");
            out[time] = body[time];
        }
    return out;
}

nlohmann::json Companies::create(std::int64_t project, const nlohmann::json& body) const {
    if (!body.is_object()) throw sdk::Error::invalid("channel.invalid", "the body must be an object");
    const std::string name = sdk::Fields::text(body, "name", 100, true, "channel.invalid");
    const std::string kind = sdk::Fields::text(body, "kind", 20, true, "channel.invalid");
    if (!knownKind(kind)) throw sdk::Error::invalid("channel.invalid", "kind must be agency, distributor, platform, internal or everyone");
    nlohmann::json parent = body.value("parent_id", nlohmann::json(nullptr));
    if (!parent.is_null()) get(project, parent.is_number_integer() ? parent.get<std::int64_t>() : 0);
    nlohmann::json r = {{"protection_mode", "report_visit_deal"}, {"visit_days", 7}, {"deal_days", 30}, {"min_advance_minutes", 60},
                        {"hidden_formats", R"(["3-4"])"}, {"sms_check", 0}, {"active", 1}, {"external", kind == "internal" ? 0 : 1},
                        {"contract_from", nullptr}, {"contract_until", nullptr}};
    r.update(rules(body));
    std::int64_t id = 0;
    try {
        id = host_.db()
                 .run("INSERT INTO channel_companies (project_id, parent_id, name, kind, external, protection_mode, visit_days, deal_days, "
                      "hidden_formats, min_advance_minutes, sms_check, contract_from, contract_until, active, created_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      {project, parent, name, kind, r["external"], r["protection_mode"], r["visit_days"], r["deal_days"], r["hidden_formats"],
                       r["min_advance_minutes"], r["sms_check"], r["contract_from"], r["contract_until"], r["active"], host_.now()})
                 .rows.at(0)
                 .at("id")
                 .get<std::int64_t>();
    } catch (const sdk::Error& e) {
        if (e.status() != 409) throw;
        throw sdk::Error::conflict("channel.company_exists", "a channel company of this name exists in the project");
    }
    return get(project, id);
}

nlohmann::json Companies::update(std::int64_t project, std::int64_t id, const nlohmann::json& body) const {
    if (!body.is_object()) throw sdk::Error::invalid("channel.invalid", "the body must be an object");
    get(project, id);
    const auto changes = rules(body);
    for (const auto& [column, value] : changes.items())
        host_.db().exec("UPDATE channel_companies SET " + column + " = ? WHERE id = ? AND project_id = ?", {value, id, project});
    return get(project, id);
}

Protection::Policy Companies::policy(const nlohmann::json& company) const {
    Protection::Policy p;
    p.mode = company["protection_mode"];
    p.visitDays = company["visit_days"];
    p.dealDays = company["deal_days"];
    p.minAdvanceMinutes = company["min_advance_minutes"];
    p.hiddenFormats.clear();
    for (const auto& f : company["hidden_formats"]) p.hiddenFormats.insert(f.get<std::string>());
    return p;
}

std::string Companies::closedReason(const nlohmann::json& company, std::int64_t now) const {
    if (!company["active"].get<bool>()) return "suspended";
    if (company["contract_from"].is_number() && now < company["contract_from"].get<std::int64_t>()) return "contract_not_started";
    if (company["contract_until"].is_number() && now > company["contract_until"].get<std::int64_t>()) return "contract_ended";
    return "";
}

nlohmann::json Companies::agents(std::int64_t project, std::optional<std::int64_t> company) const {
    std::string sql = "SELECT a.id, a.company_id, c.name AS company_name, a.user_id, a.name, a.phone, a.store, a.active, a.company_admin, a.created_at "
                      "FROM channel_agents a JOIN channel_companies c ON c.id = a.company_id WHERE a.project_id = ?";
    nlohmann::json params = {project};
    if (company) {
        sql += " AND a.company_id = ?";
        params.push_back(*company);
    }
    auto rows = host_.db().query(sql + " ORDER BY a.id", params);
    for (auto& row : rows) {
        row["active"] = row["active"] == 1;
        row["company_admin"] = row["company_admin"] == 1;
    }
    return rows;
}

nlohmann::json Companies::updateAgent(std::int64_t project, std::int64_t id, const nlohmann::json& body) const {
    if (!body.is_object()) throw sdk::Error::invalid("channel.invalid", "the body must be an object");
    const auto row = host_.db().one("SELECT company_id FROM channel_agents WHERE project_id = ? AND id = ?", {project, id});
    if (!row) throw sdk::Error::notFound("channel.agent_not_found", "no such agent: " + std::to_string(id));
    for (const char* flag : {"active", "company_admin"}) {
        if (!body.contains(flag)) continue;
        if (!body[flag].is_boolean()) throw sdk::Error::invalid("channel.invalid", std::string(flag) + " must be true or false");
        // `flag` is one of the two names above, never input.
        host_.db().exec(std::string("UPDATE channel_agents SET ") + flag + " = ? WHERE id = ?", {body[flag].get<bool>() ? 1 : 0, id});
    }
    if (body.contains("store")) {
        const std::string store = sdk::Fields::text(body, "store", 60, false, "channel.invalid");
        host_.db().exec("UPDATE channel_agents SET store = ? WHERE id = ?", {store.empty() ? nlohmann::json(nullptr) : nlohmann::json(store), id});
    }
    const std::int64_t company = (*row)["company_id"];
    for (auto& agent : agents(project, company))
        if (agent["id"] == id) return agent;
    throw sdk::Error::notFound("channel.agent_not_found", "no such agent: " + std::to_string(id));
}

nlohmann::json Companies::addAgent(std::int64_t project, const nlohmann::json& body) const {
    if (!body.is_object() || !body.contains("company_id") || !body["company_id"].is_number_integer() || !body.contains("user_id") ||
        !body["user_id"].is_number_integer())
        throw sdk::Error::invalid("channel.invalid", "company_id and user_id must be ids");
    get(project, body["company_id"]);
    const std::string name = sdk::Fields::text(body, "name", 60, true, "channel.invalid");
    const std::string store = sdk::Fields::text(body, "store", 60, false, "channel.invalid");
    const std::string phone = body.contains("phone") && body["phone"].is_string() ? sdk::Phone::normalize(body["phone"].get<std::string>()) : "";
    try {
        host_.db().exec("INSERT INTO channel_agents (project_id, company_id, user_id, name, phone, store, recruited_by, active, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)",
                        {project, body["company_id"], body["user_id"], name, phone.empty() ? nlohmann::json(nullptr) : nlohmann::json(phone),
                         store.empty() ? nlohmann::json(nullptr) : nlohmann::json(store), body.value("recruited_by", nlohmann::json(nullptr)),
                         host_.now()});
    } catch (const sdk::Error& e) {
        if (e.status() != 409) throw;
        throw sdk::Error::conflict("channel.agent_exists", "this user is already an agent in the project");
    }
    return agents(project, body["company_id"].get<std::int64_t>());
}

Companies::Agent Companies::enrol(std::int64_t project, std::int64_t userId, const std::string& username, const std::string& displayName,
                                  const nlohmann::json& recruitedBy) const {
    if (auto agent = agentOf(project, userId)) return *agent;
    const auto company = host_.db().one("SELECT id FROM channel_companies WHERE project_id = ? AND kind = 'everyone' AND active = 1 ORDER BY id LIMIT 1",
                                        {project});
    if (!company) throw sdk::Error::conflict("channel.no_everyone_company", "this project has no everyone-broker programme (全民经纪人) open");
    // A phone sign-in's user is "phone:<number>": that number is the agent's.
    const std::string phone = username.rfind("phone:", 0) == 0 ? sdk::Phone::normalize(username.substr(6)) : "";
    const std::string name = !displayName.empty() ? displayName : phone.empty() ? username : sdk::Phone::masked(phone);
    host_.db().exec("INSERT INTO channel_agents (project_id, company_id, user_id, name, phone, store, recruited_by, active, created_at) "
                    "VALUES (?, ?, ?, ?, ?, NULL, ?, 1, ?) ON CONFLICT (project_id, user_id) DO NOTHING",
                    {project, (*company)["id"], userId, name, phone.empty() ? nlohmann::json(nullptr) : nlohmann::json(phone),
                     recruitedBy.is_number_integer() ? recruitedBy : nlohmann::json(nullptr), host_.now()});
    return *agentOf(project, userId);
}

std::int64_t Companies::recruitedBy(std::int64_t project, std::int64_t consultant) const {
    return host_.db().query("SELECT COUNT(*) AS n FROM channel_agents WHERE project_id = ? AND recruited_by = ?", {project, consultant})[0]["n"];
}

std::optional<Companies::Agent> Companies::agentOf(std::int64_t project, std::int64_t userId) const {
    auto row = host_.db().one("SELECT id, company_id, name, active, company_admin FROM channel_agents WHERE project_id = ? AND user_id = ?",
                              {project, userId});
    if (!row) return std::nullopt;
    return Agent{(*row)["id"], (*row)["company_id"], (*row)["name"], (*row)["active"] == 1, (*row)["company_admin"] == 1};
}

} // namespace anchang::channel
