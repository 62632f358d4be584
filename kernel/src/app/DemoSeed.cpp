#include "app/DemoSeed.h"

#include "anchang/sdk/Error.hpp"
#include "auth/RoleCatalog.h"
#include "auth/UserDirectory.h"
#include "project/ProjectDirectory.h"
#include "store/Store.h"

#include <Poco/Logger.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

namespace anchang {

bool DemoSeed::apply(const std::filesystem::path& file, Store& store, UserDirectory& users, ProjectDirectory& projects,
                     RoleCatalog& catalog) {
    if (!users.empty()) return false;
    std::ifstream in(file);
    if (!in) throw std::runtime_error("demo seed not found: " + file.string());
    nlohmann::json seed = nlohmann::json::parse(in, nullptr, false);
    if (seed.is_discarded() || !seed.is_object()) throw std::runtime_error("demo seed is not a JSON object: " + file.string());

    std::map<std::string, std::int64_t> projectIds;
    const nlohmann::json seedProjects = seed.value("projects", nlohmann::json::array());
    for (const auto& project : seedProjects) {
        const std::string code = project.value("code", std::string{});
        auto existing = store.query("SELECT id FROM projects WHERE code = ?", {code}).rows;
        if (!existing.empty()) {
            projectIds[code] = existing[0]["id"].get<std::int64_t>();
            continue;
        }
        try {
            projectIds[code] = projects.create(project)["id"].get<std::int64_t>();
        } catch (const sdk::Error& e) {
            // Without a licence only one project may exist; the demo still starts with what fits.
            if (e.code() != "licence.project_limit") throw;
            Poco::Logger::get("kernel").warning("demo project %s skipped: %s", code, std::string(e.what()));
        }
    }
    const std::string password = seed.value("password", std::string("demo1234"));
    const nlohmann::json seedUsers = seed.value("users", nlohmann::json::array());
    for (const auto& user : seedUsers) {
        nlohmann::json body = {{"username", user["username"]}, {"display_name", user["display_name"]},
                               {"password", password}, {"roles", nlohmann::json::array()}};
        if (user.contains("phone")) body["phone"] = user["phone"];
        const nlohmann::json roles = user.value("roles", nlohmann::json::array());
        for (const auto& role : roles) {
            const std::string project = role.value("project", std::string{});
            if (!project.empty() && !projectIds.count(project)) continue;
            body["roles"].push_back({{"role", role["role"]}, {"project_id", project.empty() ? 0 : projectIds.at(project)}});
            if (role["role"].is_string() && !catalog.known(role["role"])) {
                Poco::Logger::get("kernel").warning("the demo seed gives role %s, which no plugin declares", role["role"].get<std::string>());
                catalog.declare(role["role"], nullptr, "seed");
            }
        }
        users.create(body);
    }
    Poco::Logger::get("kernel").information("loaded the demo seed %s", file.string());
    return true;
}

} // namespace anchang
