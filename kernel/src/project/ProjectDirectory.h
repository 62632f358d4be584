#pragma once
/// anchang::ProjectDirectory — the projects (楼盘) a deployment serves: the tenant unit for
/// memberships, rules and scripts. The kernel keeps only identity (code, name, archived); the
/// core plugin keeps the real-estate facts about each project.

#include "auth/Principal.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>

namespace anchang {

class Store;

class ProjectDirectory {
public:
    /// `limit` returns how many projects the licence allows (0: none may be created).
    ProjectDirectory(Store& store, std::function<int()> limit);

    bool exists(std::int64_t id);
    /// Projects the principal belongs to (every project for an admin).
    nlohmann::json list(const Principal& principal);
    nlohmann::json get(std::int64_t id);
    /// Every project, for kernel services.
    nlohmann::json all();
    /// {"code","name"} -> the new project. 409 for a taken code, 403 licence.project_limit.
    nlohmann::json create(const nlohmann::json& body);
    /// Accepts name and archived.
    nlohmann::json update(std::int64_t id, const nlohmann::json& body);

private:
    void reload();

    Store& store_;
    std::function<int()> limit_;
    std::mutex mutex_;
    std::set<std::int64_t> ids_;
};

} // namespace anchang
