#include "app/DemoSeed.h"

#include "auth/UserDirectory.h"
#include "project/ProjectDirectory.h"
#include "store/Store.h"

#include <Poco/Logger.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

namespace anchang {

bool DemoSeed::apply(const std::filesystem::path& file, Store& store, UserDirectory& users, ProjectDirectory& projects) {
    if (!users.empty()) return false;
    std::ifstream in(file);
    if (!in) throw std::runtime_error("demo seed not found: " + file.string());
    nlohmann::json seed = nlohmann::json::parse(in, nullptr, false);
    if (seed.is_discarded() || !seed.is_object()) throw std::runtime_error("demo seed is not a JSON object: " + file.string());

    std::map<std::string, std::int64_t> projectIds;
    for (const auto& project : seed.value("projects", nlohmann::json::array())) {
        auto existing = store.query("SELECT id FROM projects WHERE code = ?", {project["code"]}).rows;
        projectIds[project["code"]] = existing.empty() ? projects.create(project)["id"].get<std::int64_t>()
                                                       : existing[0]["id"].get<std::int64_t>();
    }
    const std::string password = seed.value("password", std::string("demo1234"));
    for (const auto& user : seed.value("users", nlohmann::json::array())) {
        nlohmann::json body = {{"username", user["username"]}, {"display_name", user["display_name"]},
                               {"password", password}, {"roles", nlohmann::json::array()}};
        if (user.contains("phone")) body["phone"] = user["phone"];
        for (const auto& role : user.value("roles", nlohmann::json::array())) {
            const std::string project = role.value("project", std::string{});
            body["roles"].push_back({{"role", role["role"]}, {"project_id", project.empty() ? 0 : projectIds.at(project)}});
        }
        users.create(body);
    }
    Poco::Logger::get("kernel").information("loaded the demo seed %s", file.string());
    return true;
}

} // namespace anchang
