#include "Roster.h"

#include "DayMs.h"

#include <anchang/sdk/Fields.hpp>

#include <set>

namespace anchang::core {

namespace {

std::string teamName(const nlohmann::json& body) { return sdk::Fields::text(body, "name", 60, true, "roster.invalid"); }

} // namespace

nlohmann::json Roster::get(std::int64_t project) const {
    return {{"teams", host_.db().query("SELECT id, name, position FROM core_teams WHERE project_id = ? ORDER BY position, id", {project})},
            {"consultants", host_.db().query("SELECT c.user_id, c.name, c.team_id, t.name AS team, c.status, c.weight, c.position "
                                             "FROM core_consultants c LEFT JOIN core_teams t ON t.id = c.team_id "
                                             "WHERE c.project_id = ? ORDER BY COALESCE(t.position, 1000), c.team_id, c.position, c.user_id",
                                             {project})}};
}

nlohmann::json Roster::place(std::int64_t project, std::int64_t user, const nlohmann::json& body) const {
    static const std::set<std::string> statuses = {"on_duty", "off_duty", "absent", "left"};
    auto existing = host_.db().one("SELECT user_id, name, team_id, status, weight, position FROM core_consultants "
                                   "WHERE project_id = ? AND user_id = ?",
                                   {project, user});
    nlohmann::json row = existing ? *existing : nlohmann::json{{"team_id", nullptr}, {"status", "off_duty"}, {"weight", 1}, {"position", 100}};
    if (!existing) {
        // Only someone who holds the consultant role here can be on the roster.
        const auto found = host_.request("kernel.users.get", {{"ids", {user}}}, project)["users"];
        bool consultant = false;
        for (const auto& u : found)
            for (const auto& role : u["roles"]) consultant = consultant || role == "consultant";
        if (!consultant) throw sdk::Error::invalid("roster.not_consultant", "user " + std::to_string(user) + " is not a consultant of this project");
        row["name"] = found[0]["display_name"];
    }
    if (body.contains("status")) {
        if (!body["status"].is_string() || !statuses.count(body["status"]))
            throw sdk::Error::invalid("roster.invalid", "status must be on_duty, off_duty, absent or left");
        row["status"] = body["status"];
    }
    if (body.contains("team_id")) {
        if (!body["team_id"].is_null() &&
            (!body["team_id"].is_number_integer() ||
             !host_.db().one("SELECT id FROM core_teams WHERE id = ? AND project_id = ?", {body["team_id"], project})))
            throw sdk::Error::invalid("roster.invalid", "team_id must be a team of this project, or null");
        row["team_id"] = body["team_id"];
    }
    if (body.contains("weight")) row["weight"] = sdk::Fields::integer(body, "weight", 1, 10, 1, "roster.invalid");
    if (body.contains("position")) row["position"] = sdk::Fields::integer(body, "position", -100000, 100000, 100, "roster.invalid");
    host_.db().exec("INSERT INTO core_consultants (project_id, user_id, name, team_id, status, weight, position, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (project_id, user_id) DO UPDATE SET team_id = excluded.team_id, "
                    "status = excluded.status, weight = excluded.weight, position = excluded.position, updated_at = excluded.updated_at",
                    {project, user, row["name"], row["team_id"], row["status"], row["weight"], row["position"], host_.now()});
    host_.publish("roster.changed", {{"user_id", user}, {"status", row["status"]}}, project);
    return get(project);
}

nlohmann::json Roster::addTeam(std::int64_t project, const nlohmann::json& body) const {
    const std::string name = teamName(body);
    try {
        host_.db().exec("INSERT INTO core_teams (project_id, name, position) VALUES (?, ?, ?)", {project, name, sdk::Fields::integer(body, "position", -100000, 100000, 100, "roster.invalid")});
    } catch (const sdk::Error& e) {
        if (e.status() == 409) throw sdk::Error::conflict("roster.team_exists", "a team with this name exists");
        throw;
    }
    return get(project);
}

nlohmann::json Roster::renameTeam(std::int64_t project, std::int64_t team, const nlohmann::json& body) const {
    if (host_.db().exec("UPDATE core_teams SET name = ? WHERE id = ? AND project_id = ?", {teamName(body), team, project}) == 0)
        throw sdk::Error::notFound("roster.team_not_found", "no such team: " + std::to_string(team));
    host_.publish("roster.changed", {{"team_id", team}}, project);
    return get(project);
}

} // namespace anchang::core
