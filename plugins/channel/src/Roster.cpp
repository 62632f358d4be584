#include "Roster.h"

#include <anchang/sdk/Fields.hpp>
#include <anchang/sdk/Phone.hpp>

#include <algorithm>

namespace anchang::channel {

std::vector<std::int64_t> Roster::administered(std::int64_t project, std::int64_t userId) const {
    const auto agent = companies_.agentOf(project, userId);
    if (!agent || !agent->companyAdmin || !agent->active)
        throw sdk::Error::forbidden("channel.not_company_admin", "only an active admin of a channel company sees its side");
    // The company and, level by level, the stores under it.
    std::vector<std::int64_t> out{agent->companyId};
    const auto companies = host_.db().query("SELECT id, parent_id FROM channel_companies WHERE project_id = ?", {project});
    for (std::size_t i = 0; i < out.size(); ++i)
        for (const auto& c : companies)
            if (c["parent_id"] == out[i] && std::find(out.begin(), out.end(), c["id"].get<std::int64_t>()) == out.end()) out.push_back(c["id"]);
    return out;
}

nlohmann::json Roster::view(std::int64_t project, std::int64_t userId) const {
    const auto ids = administered(project, userId);
    nlohmann::json companies = nlohmann::json::array(), agents = nlohmann::json::array(), roster = nlohmann::json::array();
    for (const auto id : ids) {
        auto company = companies_.get(project, id);
        company["link"] = links_.companyLink(project, id);
        companies.push_back(std::move(company));
        for (auto& agent : companies_.agents(project, id)) agents.push_back(std::move(agent));
        for (auto& named : host_.db().query("SELECT company_id, phone, name, store, added_at FROM channel_roster WHERE project_id = ? AND company_id = ? "
                                            "ORDER BY added_at",
                                            {project, id}))
            roster.push_back(std::move(named));
    }
    // Who of the roster joined already.
    for (auto& named : roster)
        named["joined"] = std::any_of(agents.begin(), agents.end(), [&](const nlohmann::json& a) { return a["phone"] == named["phone"]; });
    return {{"companies", companies}, {"agents", agents}, {"roster", roster}};
}

nlohmann::json Roster::add(std::int64_t project, std::int64_t userId, const nlohmann::json& body) const {
    const auto ids = administered(project, userId);
    if (!body.is_object()) throw sdk::Error::invalid("channel.invalid", "the body must be an object");
    std::int64_t company = ids.front();
    if (body.contains("company_id")) {
        if (!body["company_id"].is_number_integer() || std::find(ids.begin(), ids.end(), body["company_id"].get<std::int64_t>()) == ids.end())
            throw sdk::Error::notFound("channel.company_not_found", "not one of your companies");
        company = body["company_id"];
    }
    const std::string phone = body.contains("phone") && body["phone"].is_string() ? sdk::Phone::normalize(body["phone"].get<std::string>()) : "";
    if (phone.empty()) throw sdk::Error::invalid("channel.phone_invalid", "the broker's phone must be an 11-digit mobile number");
    const std::string name = sdk::Fields::text(body, "name", 60, true, "channel.invalid");
    const std::string store = sdk::Fields::text(body, "store", 60, false, "channel.invalid");
    // Another company's broker (or an agent of the site's) is not taken over by naming their phone.
    if (host_.db().one("SELECT id FROM channel_agents WHERE project_id = ? AND phone = ? AND company_id <> ?", {project, phone, company}))
        throw sdk::Error::conflict("channel.phone_taken", "this phone is an agent of another company in this project");
    try {
        host_.db().exec("INSERT INTO channel_roster (project_id, company_id, phone, name, store, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        {project, company, phone, name, store.empty() ? nlohmann::json(nullptr) : nlohmann::json(store), userId, host_.now()});
    } catch (const sdk::Error& e) {
        if (e.status() != 409) throw;
        throw sdk::Error::conflict("channel.phone_taken", "this phone is named by a company of this project already");
    }
    return {{"company_id", company}, {"phone", phone}, {"name", name}, {"store", store.empty() ? nlohmann::json(nullptr) : nlohmann::json(store)}};
}

void Roster::remove(std::int64_t project, std::int64_t userId, const std::string& phone) const {
    const auto ids = administered(project, userId);
    const auto row = host_.db().one("SELECT company_id FROM channel_roster WHERE project_id = ? AND phone = ?", {project, sdk::Phone::normalize(phone)});
    if (!row || std::find(ids.begin(), ids.end(), (*row)["company_id"].get<std::int64_t>()) == ids.end())
        throw sdk::Error::notFound("channel.roster_not_found", "no such phone on your roster");
    // A broker who joined already stays an agent: suspending them is a separate, visible step.
    host_.db().exec("DELETE FROM channel_roster WHERE project_id = ? AND phone = ?", {project, sdk::Phone::normalize(phone)});
}

nlohmann::json Roster::setActive(std::int64_t project, std::int64_t userId, std::int64_t agent, const nlohmann::json& body) const {
    const auto ids = administered(project, userId);
    const auto row = host_.db().one("SELECT company_id, user_id FROM channel_agents WHERE project_id = ? AND id = ?", {project, agent});
    if (!row || std::find(ids.begin(), ids.end(), (*row)["company_id"].get<std::int64_t>()) == ids.end())
        throw sdk::Error::notFound("channel.agent_not_found", "no such agent of your companies");
    if ((*row)["user_id"] == userId) throw sdk::Error::conflict("channel.own_account", "an admin does not suspend themselves: ask the site");
    if (!body.is_object() || !body.contains("active") || !body["active"].is_boolean())
        throw sdk::Error::invalid("channel.invalid", "active must be true or false");
    return companies_.updateAgent(project, agent, {{"active", body["active"]}});
}

Companies::Agent Roster::join(std::int64_t project, std::int64_t userId, const std::string& username, const std::string& displayName,
                              const std::string& token) const {
    if (auto agent = companies_.agentOf(project, userId)) return *agent;
    const auto company = links_.linkedCompany(project, token);
    if (!company) throw sdk::Error::notFound("channel.link_invalid", "this link is not a channel company's link of this project");
    const auto found = companies_.get(project, *company);
    if (!companies_.closedReason(found, host_.now()).empty())
        throw sdk::Error::conflict("channel.company_inactive", "this company is suspended or outside its contract");
    if (found["kind"] == "everyone") return companies_.enrol(project, userId, username, displayName, nullptr);
    const std::string phone = username.rfind("phone:", 0) == 0 ? sdk::Phone::normalize(username.substr(6)) : "";
    const auto named = phone.empty() ? std::nullopt
                                     : host_.db().one("SELECT name, store FROM channel_roster WHERE project_id = ? AND company_id = ? AND phone = ?",
                                                      {project, *company, phone});
    if (!named)
        throw sdk::Error::forbidden("channel.not_on_roster", "your phone is not on this company's list of brokers: ask your company's admin to add it");
    companies_.addAgent(project, {{"company_id", *company}, {"user_id", userId}, {"name", (*named)["name"]}, {"phone", phone}, {"store", (*named)["store"]}});
    return *companies_.agentOf(project, userId);
}

} // namespace anchang::channel
