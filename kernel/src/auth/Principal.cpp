#include "auth/Principal.h"

#include "http/JsonText.h"

#include <algorithm>

namespace anchang {

bool Principal::isAdmin() const {
    return std::find(globalRoles.begin(), globalRoles.end(), "admin") != globalRoles.end();
}

bool Principal::memberOf(std::int64_t project) const {
    return isAdmin() || projectRoles.count(project) > 0;
}

std::vector<std::string> Principal::rolesIn(std::optional<std::int64_t> project) const {
    std::vector<std::string> roles = globalRoles;
    auto add = [&](const std::vector<std::string>& more) {
        for (const auto& role : more)
            if (std::find(roles.begin(), roles.end(), role) == roles.end()) roles.push_back(role);
    };
    if (project) {
        auto it = projectRoles.find(*project);
        if (it != projectRoles.end()) add(it->second);
    } else {
        for (const auto& [id, more] : projectRoles) add(more);
    }
    return roles;
}

std::string Principal::toJson(std::optional<std::int64_t> project, const std::vector<std::string>& permissions) const {
    std::string out = "{\"user_id\":" + std::to_string(userId) + ",\"username\":";
    JsonText::appendString(out, username);
    out += ",\"display_name\":";
    JsonText::appendString(out, displayName);
    out += ",\"roles\":";
    JsonText::appendArray(out, rolesIn(project));
    out += ",\"project_id\":";
    out += project ? std::to_string(*project) : "null";
    out += ",\"permissions\":";
    JsonText::appendArray(out, permissions);
    out += '}';
    return out;
}

} // namespace anchang
