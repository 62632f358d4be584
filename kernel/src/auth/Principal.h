#pragma once
/// anchang::Principal — the logged-in user behind a request, with their roles.
///
/// Roles are either global (project 0: admin, or a channel agent who works for every project)
/// or held in one project (a consultant of 楼盘 A). A request about a project sees the global
/// roles plus the roles in that project.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace anchang {

struct Principal {
    std::int64_t userId = 0;
    std::string username;
    std::string displayName;
    std::vector<std::string> globalRoles;
    std::map<std::int64_t, std::vector<std::string>> projectRoles;
    /// The user's token generation: a token of an older one no longer counts.
    std::int64_t tokenGeneration = 0;

    bool isAdmin() const;
    bool memberOf(std::int64_t project) const;
    /// Global roles plus the roles in `project`; without a project, every role the user holds.
    std::vector<std::string> rolesIn(std::optional<std::int64_t> project) const;
    /// What a plugin receives as principal_json: who, their roles in `project`, and which of
    /// the plugin's own permissions they hold there (asked of the policy by the caller).
    std::string toJson(std::optional<std::int64_t> project, const std::vector<std::string>& permissions) const;
};

} // namespace anchang
