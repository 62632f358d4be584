#pragma once
/// anchang::RoleCatalog — the roles users can hold, and what they are called.
///
/// The kernel knows one role of its own, `admin`. Every other role comes from a plugin: core
/// declares the sales office's (案场经理, 置业顾问, …) with their names in both languages, and a
/// role a plugin's permissions name without declaring it is known by its bare name. Roles are
/// read from every installed manifest before any user is created or checked, so a role stays
/// assignable while its module is unlicensed.

#include <nlohmann/json.hpp>

#include <shared_mutex>
#include <string>
#include <vector>

namespace anchang {

class RoleCatalog {
public:
    static constexpr const char* kAdmin = "admin";

    RoleCatalog();

    /// Adds a role with its label ({"zh-CN","en"}; null for "known by name"). The first label
    /// given wins; a later declaration with a label fills in a bare name.
    void declare(const std::string& role, const nlohmann::json& label, const std::string& owner);
    bool known(const std::string& role) const;
    /// Role names in declaration order, admin first.
    std::vector<std::string> names() const;
    /// [{"name","label","owner"}], in the same order.
    nlohmann::json describe() const;

private:
    struct Role {
        std::string name;
        nlohmann::json label;
        std::string owner;
    };
    mutable std::shared_mutex mutex_;
    std::vector<Role> roles_;
};

} // namespace anchang
