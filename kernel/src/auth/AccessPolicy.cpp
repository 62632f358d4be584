#include "auth/AccessPolicy.h"

#include "anchang/sdk/Error.hpp"
#include "auth/RoleCatalog.h"
#include "store/Store.h"

#include <algorithm>
#include <mutex>

namespace anchang {

AccessPolicy::AccessPolicy(Store& store, const RoleCatalog& roles) : store_(store), roles_(roles) {
    for (const auto& row : store_.query("SELECT role, permission, granted FROM role_permissions").rows)
        overrides_[{row["role"].get<std::string>(), row["permission"].get<std::string>()}] = row["granted"].get<std::int64_t>() == 1;
}

void AccessPolicy::recompute(Entry& entry, const std::string& permission) const {
    entry.effective = entry.defaults;
    if (const auto it = grants_.find(permission); it != grants_.end()) {
        entry.effective.insert(it->second.begin(), it->second.end());
        entry.defaults.insert(it->second.begin(), it->second.end());
    }
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

void AccessPolicy::grant(const std::string& permission, const std::vector<std::string>& roles) {
    std::unique_lock lock(mutex_);
    grants_[permission].insert(roles.begin(), roles.end());
    if (auto it = permissions_.find(permission); it != permissions_.end()) recompute(it->second, permission);
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
    if (!roles_.known(role)) throw sdk::Error::invalid("role.unknown", "unknown role: " + role);
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
    return {{"roles", roles_.describe()}, {"permissions", permissions}};
}

} // namespace anchang
