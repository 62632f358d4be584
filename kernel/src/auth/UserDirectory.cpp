#include "auth/UserDirectory.h"

#include "anchang/sdk/Error.hpp"
#include "auth/RoleCatalog.h"
#include "store/Store.h"

#include <Poco/Timestamp.h>

#include <algorithm>
#include <regex>

namespace anchang {

namespace {

std::int64_t nowMs() { return Poco::Timestamp().epochMicroseconds() / 1000; }

std::string requireString(const nlohmann::json& body, const char* key, std::size_t maxLength) {
    auto it = body.find(key);
    if (it == body.end() || !it->is_string())
        throw sdk::Error::invalid("user.invalid", std::string(key) + " is required and must be a string");
    const std::string value = it->get<std::string>();
    if (value.empty() || value.size() > maxLength)
        throw sdk::Error::invalid("user.invalid", std::string(key) + " must have 1 to " + std::to_string(maxLength) + " characters");
    return value;
}

void requireStrongPassword(const std::string& password) {
    const std::string weakness = PasswordHasher::weakness(password);
    if (!weakness.empty()) throw sdk::Error::invalid("user.weak_password", weakness);
}

} // namespace

UserDirectory::UserDirectory(Store& store, const PasswordHasher& hasher, const RoleCatalog& roles)
    : store_(store), hasher_(hasher), roles_(roles) {}

void UserDirectory::invalidate() {
    std::lock_guard lock(mutex_);
    cache_.clear();
}

std::shared_ptr<const Principal> UserDirectory::principal(std::int64_t userId) {
    {
        std::lock_guard lock(mutex_);
        auto it = cache_.find(userId);
        if (it != cache_.end()) return it->second;
    }
    auto users = store_.query("SELECT id, username, display_name, token_generation FROM users WHERE id = ? AND active = 1", {userId}).rows;
    if (users.empty()) return nullptr;
    Principal p;
    p.userId = userId;
    p.username = users[0]["username"];
    p.displayName = users[0]["display_name"];
    p.tokenGeneration = users[0]["token_generation"];
    for (const auto& row : store_.query("SELECT project_id, role FROM user_roles WHERE user_id = ? ORDER BY role", {userId}).rows) {
        const std::int64_t project = row["project_id"];
        if (project == 0) p.globalRoles.push_back(row["role"]);
        else p.projectRoles[project].push_back(row["role"]);
    }
    // Shared, never copied: every request of the user's reads the same one.
    auto shared = std::make_shared<const Principal>(std::move(p));
    std::lock_guard lock(mutex_);
    cache_[userId] = shared;
    return shared;
}

std::optional<std::int64_t> UserDirectory::authenticate(const std::string& username, const std::string& password) {
    auto rows = store_.query("SELECT id, password_hash FROM users WHERE username = ? AND active = 1", {username}).rows;
    if (rows.empty()) {
        // Spend the same time as a real check, so timing does not reveal which usernames exist.
        static const std::string decoy = PasswordHasher().hash("decoy-password");
        hasher_.verify(decoy, password);
        return std::nullopt;
    }
    if (!hasher_.verify(rows[0]["password_hash"], password)) return std::nullopt;
    return rows[0]["id"].get<std::int64_t>();
}

bool UserDirectory::empty() {
    return store_.query("SELECT COUNT(*) AS n FROM users").rows[0]["n"].get<std::int64_t>() == 0;
}

nlohmann::json UserDirectory::list(std::optional<std::int64_t> project) {
    const std::string sql =
        project ? "SELECT DISTINCT u.id, u.username, u.display_name, u.phone, u.active, u.created_at FROM users u "
                  "JOIN user_roles r ON r.user_id = u.id WHERE r.project_id = ? ORDER BY u.username"
                : "SELECT id, username, display_name, phone, active, created_at FROM users ORDER BY username";
    nlohmann::json users = store_.query(sql, project ? nlohmann::json::array({*project}) : nlohmann::json::array()).rows;
    auto roles = store_.query("SELECT user_id, project_id, role FROM user_roles ORDER BY project_id, role").rows;
    for (auto& user : users) {
        user["active"] = user["active"].get<std::int64_t>() == 1;
        user["roles"] = nlohmann::json::array();
        for (const auto& r : roles)
            if (r["user_id"] == user["id"]) user["roles"].push_back({{"role", r["role"]}, {"project_id", r["project_id"]}});
    }
    return users;
}

nlohmann::json UserDirectory::get(std::int64_t id) {
    auto rows = store_.query("SELECT id, username, display_name, phone, active, created_at FROM users WHERE id = ?", {id}).rows;
    if (rows.empty()) throw sdk::Error::notFound("user.not_found", "no such user: " + std::to_string(id));
    nlohmann::json user = rows[0];
    user["active"] = user["active"].get<std::int64_t>() == 1;
    user["roles"] = nlohmann::json::array();
    for (const auto& r : store_.query("SELECT project_id, role FROM user_roles WHERE user_id = ? ORDER BY project_id, role", {id}).rows)
        user["roles"].push_back({{"role", r["role"]}, {"project_id", r["project_id"]}});
    return user;
}

void UserDirectory::checkRoles(const nlohmann::json& roles) {
    if (!roles.is_array()) throw sdk::Error::invalid("user.invalid", "roles must be a list of {role, project_id}");
    for (const auto& entry : roles) {
        if (!entry.is_object() || !entry.contains("role") || !entry["role"].is_string())
            throw sdk::Error::invalid("user.invalid", "each role needs a \"role\" name");
        const std::string role = entry["role"];
        if (!roles_.known(role)) throw sdk::Error::invalid("user.unknown_role", "unknown role: " + role);
        const nlohmann::json project = entry.value("project_id", nlohmann::json(0));
        if (!project.is_number_integer() || project.get<std::int64_t>() < 0)
            throw sdk::Error::invalid("user.invalid", "project_id must be a project id, or 0 for every project");
        if (project.get<std::int64_t>() > 0 &&
            store_.query("SELECT id FROM projects WHERE id = ?", {project}).rows.empty())
            throw sdk::Error::invalid("project.not_found", "no such project: " + project.dump());
        if (role == "admin" && project.get<std::int64_t>() != 0)
            throw sdk::Error::invalid("user.invalid", "admin is a global role (project_id 0)");
    }
}

void UserDirectory::writeRoles(std::int64_t id, const nlohmann::json& roles) {
    store_.query("DELETE FROM user_roles WHERE user_id = ?", {id});
    for (const auto& entry : roles)
        store_.query("INSERT INTO user_roles (user_id, project_id, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                     {id, entry.value("project_id", std::int64_t{0}), entry["role"]});
}

std::int64_t UserDirectory::create(const nlohmann::json& body) {
    static const std::regex usernamePattern("[a-z0-9_.-]{2,32}");
    const std::string username = requireString(body, "username", 32);
    if (!std::regex_match(username, usernamePattern))
        throw sdk::Error::invalid("user.invalid", "username must be 2-32 lower-case letters, digits, '.', '_' or '-'");
    const std::string displayName = requireString(body, "display_name", 64);
    const std::string password = requireString(body, "password", 256);
    requireStrongPassword(password);
    const nlohmann::json roles = body.value("roles", nlohmann::json::array());
    checkRoles(roles);
    nlohmann::json phone = body.value("phone", nlohmann::json(nullptr));
    if (!phone.is_null() && !phone.is_string()) throw sdk::Error::invalid("user.invalid", "phone must be a string");
    const std::string hash = hasher_.hash(password);
    std::int64_t id = 0;
    store_.transaction([&] {
        if (!store_.query("SELECT id FROM users WHERE username = ?", {username}).rows.empty())
            throw sdk::Error::conflict("user.username_taken", "username already taken: " + username);
        id = store_.query("INSERT INTO users (username, display_name, password_hash, phone, active, created_at, updated_at) "
                          "VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING id",
                          {username, displayName, hash, phone, nowMs(), nowMs()})
                 .rows[0]["id"];
        writeRoles(id, roles);
    });
    invalidate();
    return id;
}

std::int64_t UserDirectory::signInByPhone(const std::string& phone, std::int64_t project, const std::string& role) {
    const std::string username = "phone:" + phone;
    // Shown masked (138****1234) wherever staff see the user.
    const std::string shown = phone.size() == 11 ? phone.substr(0, 3) + "****" + phone.substr(7) : phone;
    std::int64_t id = 0;
    store_.transaction([&] {
        // "!" is no argon2 hash: no password ever matches it.
        store_.query("INSERT INTO users (username, display_name, password_hash, phone, active, created_at, updated_at) "
                     "VALUES (?, ?, '!', ?, 1, ?, ?) ON CONFLICT (username) DO NOTHING",
                     {username, shown, phone, nowMs(), nowMs()});
        const auto rows = store_.query("SELECT id, active FROM users WHERE username = ?", {username}).rows;
        if (rows[0]["active"].get<std::int64_t>() == 0) throw sdk::Error(403, "auth.user_disabled", "this phone's account is disabled");
        id = rows[0]["id"];
        store_.query("INSERT INTO user_roles (user_id, project_id, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", {id, project, role});
    });
    invalidate();
    return id;
}

void UserDirectory::update(std::int64_t id, const nlohmann::json& body) {
    get(id); // 404 before any change
    store_.transaction([&] {
        if (body.contains("display_name"))
            store_.query("UPDATE users SET display_name = ?, updated_at = ? WHERE id = ?",
                         {requireString(body, "display_name", 64), nowMs(), id});
        if (body.contains("phone")) {
            if (!body["phone"].is_string() && !body["phone"].is_null())
                throw sdk::Error::invalid("user.invalid", "phone must be a string");
            store_.query("UPDATE users SET phone = ?, updated_at = ? WHERE id = ?", {body["phone"], nowMs(), id});
        }
        // Disabling, enabling and a new password each end every token issued before: re-enabling
        // a user must not revive the tokens of before the disable.
        if (body.contains("active")) {
            if (!body["active"].is_boolean()) throw sdk::Error::invalid("user.invalid", "active must be true or false");
            store_.query("UPDATE users SET active = ?, token_generation = token_generation + 1, updated_at = ? WHERE id = ? AND active <> ?",
                         {body["active"].get<bool>() ? 1 : 0, nowMs(), id, body["active"].get<bool>() ? 1 : 0});
        }
        if (body.contains("password")) {
            const std::string password = requireString(body, "password", 256);
            requireStrongPassword(password);
            store_.query("UPDATE users SET password_hash = ?, token_generation = token_generation + 1, updated_at = ? WHERE id = ?",
                         {hasher_.hash(password), nowMs(), id});
        }
    });
    invalidate();
}

void UserDirectory::setRoles(std::int64_t id, const nlohmann::json& roles) {
    get(id);
    checkRoles(roles);
    store_.transaction([&] { writeRoles(id, roles); });
    invalidate();
}

void UserDirectory::changePassword(std::int64_t id, const std::string& current, const std::string& next) {
    auto rows = store_.query("SELECT password_hash FROM users WHERE id = ?", {id}).rows;
    if (rows.empty() || !hasher_.verify(rows[0]["password_hash"], current))
        throw sdk::Error::forbidden("auth.wrong_password", "the current password is wrong");
    requireStrongPassword(next);
    store_.query("UPDATE users SET password_hash = ?, token_generation = token_generation + 1, updated_at = ? WHERE id = ?",
                 {hasher_.hash(next), nowMs(), id});
    invalidate();
}

} // namespace anchang
