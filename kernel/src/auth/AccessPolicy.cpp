#include "auth/AccessPolicy.h"

#include "anchang/sdk/Error.hpp"
#include "auth/UserDirectory.h"
#include "store/Store.h"

#include <algorithm>
#include <mutex>

namespace anchang {

AccessPolicy::AccessPolicy(Store& store) : store_(store) {
    for (const auto& row : store_.query("SELECT role, permission, granted FROM role_permissions").rows)
        overrides_[{row["role"].get<std::string>(), row["permission"].get<std::string>()}] = row["granted"].get<std::int64_t>() == 1;
}

void AccessPolicy::recompute(Entry& entry, const std::string& permission) const {
    entry.effective = entry.defaults;
    for (const auto& [key, granted] : overrides_) {
        if (key.second != permission) continue;
        if (granted) entry.effective.insert(key.first);
        else entry.effective.erase(key.first);
    }
}

void AccessPolicy::declare(const std::string& permission, const std::vector<std::string>& defaultRoles,
                           const nlohmann::json& description, const std::string& owner) {
    std::unique_lock lock(mutex_);
    Entry entry{{defaultRoles.begin(), defaultRoles.end()}, {}, description, owner};
    recompute(entry, permission);
    permissions_[permission] = std::move(entry);
}

bool AccessPolicy::declared(const std::string& permission) const {
    std::shared_lock lock(mutex_);
    return permissions_.count(permission) > 0;
}

bool AccessPolicy::allows(const Principal& principal, const std::string& permission,
                          std::optional<std::int64_t> project) const {
    if (permission == "public" || permission == "authenticated") return true;
    if (principal.isAdmin()) return true;
    std::shared_lock lock(mutex_);
    auto it = permissions_.find(permission);
    if (it == permissions_.end()) return false;
    for (const auto& role : principal.rolesIn(project))
        if (it->second.effective.count(role)) return true;
    return false;
}

std::vector<std::string> AccessPolicy::granted(const Principal& principal, std::optional<std::int64_t> project) const {
    std::vector<std::string> out;
    const auto roles = principal.rolesIn(project);
    std::shared_lock lock(mutex_);
    for (const auto& [name, entry] : permissions_) {
        const bool held = principal.isAdmin() ||
                          std::any_of(roles.begin(), roles.end(), [&](const std::string& role) { return entry.effective.count(role) > 0; });
        if (held) out.push_back(name);
    }
    return out;
}

void AccessPolicy::set(const std::string& role, const std::string& permission, bool granted) {
    if (!UserDirectory::knownRole(role)) throw sdk::Error::invalid("role.unknown", "unknown role: " + role);
    if (role == "admin") throw sdk::Error::invalid("role.admin_fixed", "the admin role always holds every permission");
    if (!declared(permission)) throw sdk::Error::notFound("permission.not_found", "no such permission: " + permission);
    store_.query("INSERT INTO role_permissions (role, permission, granted) VALUES (?, ?, ?) "
                 "ON CONFLICT (role, permission) DO UPDATE SET granted = excluded.granted",
                 {role, permission, granted ? 1 : 0});
    std::unique_lock lock(mutex_);
    overrides_[{role, permission}] = granted;
    recompute(permissions_[permission], permission);
}

nlohmann::json AccessPolicy::describe() const {
    std::shared_lock lock(mutex_);
    nlohmann::json permissions = nlohmann::json::array();
    for (const auto& [name, entry] : permissions_)
        permissions.push_back({{"name", name}, {"owner", entry.owner}, {"description", entry.description},
                               {"default_roles", entry.defaults}, {"roles", entry.effective}});
    return {{"roles", UserDirectory::roles()}, {"permissions", permissions}};
}

} // namespace anchang
