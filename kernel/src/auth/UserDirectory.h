#pragma once
/// anchang::UserDirectory — users, their roles and project memberships.
///
/// A role held in a project makes the user a member of it. Principals are cached per user and
/// the cache is dropped on every change here, so a removed role stops working at the next
/// request, not at the token's expiry.

#include "auth/PasswordHasher.h"
#include "auth/Principal.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace anchang {

class RoleCatalog;
class Store;

class UserDirectory {
public:
    UserDirectory(Store& store, const PasswordHasher& hasher, const RoleCatalog& roles);

    /// The active user's principal, or null; shared with every request of theirs (a change to
    /// the user or their roles invalidate()s it).
    std::shared_ptr<const Principal> principal(std::int64_t userId);
    /// The id of the active user with this username and password.
    std::optional<std::int64_t> authenticate(const std::string& username, const std::string& password);

    bool empty();
    nlohmann::json list(std::optional<std::int64_t> project);
    nlohmann::json get(std::int64_t id);
    /// {"username","display_name","password","phone"?,"roles":[{"role","project_id"}]} -> id.
    /// Throws sdk::Error 400 for invalid input, 409 for a taken username.
    std::int64_t create(const nlohmann::json& body);
    /// The user who signs in with `phone` and a one-time code, created on first sign-in, now
    /// holding `role` in `project`. Such users are apart from staff: username "phone:<phone>", no
    /// password, so a staff member's phone never opens a staff account by text message.
    std::int64_t signInByPhone(const std::string& phone, std::int64_t project, const std::string& role);
    /// Accepts display_name, phone, active, password.
    void update(std::int64_t id, const nlohmann::json& body);
    void setRoles(std::int64_t id, const nlohmann::json& roles);
    void changePassword(std::int64_t id, const std::string& current, const std::string& next);

private:
    void checkRoles(const nlohmann::json& roles);
    void writeRoles(std::int64_t id, const nlohmann::json& roles);
    void invalidate();

    Store& store_;
    const PasswordHasher& hasher_;
    const RoleCatalog& roles_;
    std::mutex mutex_;
    std::unordered_map<std::int64_t, std::shared_ptr<const Principal>> cache_;
};

} // namespace anchang
