#pragma once
/// anchang::AccessPolicy — which roles hold which permission.
///
/// The kernel and each plugin's manifest declare permissions with the roles that hold them by
/// default, and a plugin may grant others' permissions to its roles (core grants the kernel's
/// to the sales office's roles: the kernel names none); an admin can grant or withdraw a
/// permission per role, and that choice is stored. The admin role holds every permission.
/// "public" needs no login and "authenticated" any login; neither can be withdrawn.

#include "auth/Principal.h"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

namespace anchang {

class RoleCatalog;
class Store;

class AccessPolicy {
public:
    AccessPolicy(Store& store, const RoleCatalog& roles);

    void declare(const std::string& permission, const std::vector<std::string>& defaultRoles,
                 const nlohmann::json& description, const std::string& owner);
    /// Adds default holders to a permission, declared already or later.
    void grant(const std::string& permission, const std::vector<std::string>& roles);
    bool declared(const std::string& permission) const;

    bool allows(const Principal& principal, const std::string& permission, std::optional<std::int64_t> project) const;

    /// Every declared permission the principal holds in `project` (without one: anywhere).
    std::vector<std::string> granted(const Principal& principal, std::optional<std::int64_t> project) const;

    /// Grants (or withdraws) a declared permission for a role; persisted.
    void set(const std::string& role, const std::string& permission, bool granted);

    /// {"roles":[{"name","label","owner"}],"permissions":[{"name","owner","description","default_roles","roles"}]}
    nlohmann::json describe() const;

private:
    struct Entry {
        std::set<std::string> defaults;
        std::set<std::string> effective;
        nlohmann::json description;
        std::string owner;
    };
    void recompute(Entry& entry, const std::string& permission) const;

    Store& store_;
    const RoleCatalog& roles_;
    mutable std::shared_mutex mutex_;
    std::map<std::string, Entry> permissions_;
    /// Default holders granted by other plugins than the permission's owner.
    std::map<std::string, std::set<std::string>> grants_;
    /// (role, permission) -> granted, from role_permissions.
    std::map<std::pair<std::string, std::string>, bool> overrides_;
};

} // namespace anchang
