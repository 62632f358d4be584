#include "DemoLoader.h"

#include "DayMs.h"

#include <cmath>
#include <fstream>
#include <map>
#include <set>

namespace anchang::core {

bool DemoLoader::load(const std::string& file) const {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("demo seed not found: " + file);
    const nlohmann::json seed = nlohmann::json::parse(in, nullptr, false);
    if (!seed.is_object()) throw std::runtime_error("demo seed is not a JSON object: " + file);

    std::int64_t project = 0;
    const auto projects = host_.request("kernel.projects.list", nlohmann::json::object())["projects"];
    for (const auto& p : projects)
        if (p["code"] == seed.value("project", "")) project = p["id"];
    if (!project) return false; // the kernel's demo seed did not create it: nothing to fill
    if (host_.db().one("SELECT id FROM core_teams WHERE project_id = ?", {project})) return false;

    nlohmann::json usernames = nlohmann::json::array();
    for (const auto& team : seed["teams"])
        for (const auto& member : team["members"]) usernames.push_back(member);
    for (const auto& customer : seed.value("customers", nlohmann::json::array())) usernames.push_back(customer["owner"]);
    std::map<std::string, nlohmann::json> users;
    const auto found = host_.request("kernel.users.get", {{"usernames", usernames}}, project);
    for (const auto& u : found["users"])
        users[u["username"].get<std::string>()] = u;

    profile_.set(project, {{"profile", seed.value("profile", nlohmann::json::object())},
                           {"protection_days", seed.value("protection_days", 30)}});
    const std::set<std::string> onDuty = seed.value("on_duty", std::set<std::string>{});
    host_.db().transaction([&] {
        int teamPosition = 0;
        for (const auto& team : seed["teams"]) {
            const auto teamId = host_.db().run("INSERT INTO core_teams (project_id, name, position) VALUES (?, ?, ?) RETURNING id",
                                               {project, team["name"], ++teamPosition})
                                    .rows.at(0).at("id").get<std::int64_t>();
            int position = 0;
            for (const auto& member : team["members"]) {
                const auto& user = users.at(member.get<std::string>());
                host_.db().exec("INSERT INTO core_consultants (project_id, user_id, name, team_id, status, weight, position, updated_at) "
                                "VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
                                {project, user["id"], user["display_name"], teamId,
                                 onDuty.count(member.get<std::string>()) ? "on_duty" : "off_duty", ++position, host_.now()});
            }
        }
        for (const auto& building : seed["buildings"]) {
            const int floors = building["floors"];
            const auto buildingId = host_.db().run("INSERT INTO core_buildings (project_id, name, floors) VALUES (?, ?, ?) RETURNING id",
                                                   {project, building["name"], floors})
                                        .rows.at(0).at("id").get<std::int64_t>();
            const auto& layouts = building["layouts"];
            for (int floor = 2; floor <= floors; ++floor)
                for (std::size_t i = 0; i < layouts.size(); ++i) {
                    const auto& layout = layouts[i];
                    const double area = layout["area"];
                    // Higher floors sell for a little more, as price lists do.
                    const auto price = static_cast<std::int64_t>(std::round(area * layout["price_per_m2"].get<double>() * (1.0 + 0.004 * floor)));
                    host_.db().exec("INSERT INTO core_units (project_id, building_id, floor, number, layout, area, list_price, status) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, 'available')",
                                    {project, buildingId, floor, std::to_string(floor * 100 + static_cast<int>(i) + 1), layout["layout"],
                                     area, price});
                }
        }
    });
    for (const auto& customer : seed.value("customers", nlohmann::json::array())) {
        const std::int64_t at = host_.now() - customer.value("days_ago", 1) * kDayMs;
        customers_.claim(project, {{"phone", customer["phone"]}, {"name", customer["name"]},
                                   {"owner_id", users.at(customer["owner"].get<std::string>())["id"]},
                                   {"origin", {{"source", customer.value("source", "natural")}, {"channel", customer.value("channel", nlohmann::json(nullptr))}}}, {"visit_at", at}});
    }
    host_.info("loaded the core demo data into project " + std::to_string(project));
    return true;
}

} // namespace anchang::core
