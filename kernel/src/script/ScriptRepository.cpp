#include "script/ScriptRepository.h"

#include "anchang/sdk/Error.hpp"
#include "bus/BusProtocol.h"
#include "store/Store.h"

namespace anchang {

namespace {
std::int64_t now() { return BusProtocol::nowMs(); }
constexpr const char* kColumns =
    "id, project_id, hook, name, position, active_version, previous_version, failures, disabled_reason, created_at, updated_at";
} // namespace

void ScriptRepository::invalidate(std::int64_t project) {
    std::lock_guard lock(mutex_);
    for (auto it = cache_.begin(); it != cache_.end();) {
        if (it->first.first == project) it = cache_.erase(it);
        else ++it;
    }
}

nlohmann::json ScriptRepository::row(std::int64_t project, std::int64_t id) {
    auto rows = store_.query(std::string("SELECT ") + kColumns + " FROM scripts WHERE id = ? AND project_id = ? AND deleted_at IS NULL",
                             {id, project})
                    .rows;
    if (rows.empty()) throw sdk::Error::notFound("script.not_found", "no such script: " + std::to_string(id));
    return rows[0];
}

std::int64_t ScriptRepository::create(std::int64_t project, const std::string& hook, const std::string& name, int position,
                                      const std::string& source, const std::string& comment, const Author& author) {
    std::int64_t id = 0;
    store_.transaction([&] {
        id = store_.query("INSERT INTO scripts (project_id, hook, name, position, created_by, created_at, updated_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          {project, hook, name, position, author.id, now(), now()})
                 .rows[0]["id"];
        store_.query("INSERT INTO script_versions (script_id, version, source, comment, author_id, author_name, created_at) "
                     "VALUES (?, 1, ?, ?, ?, ?, ?)",
                     {id, source, comment, author.id, author.name, now()});
    });
    return id;
}

std::int64_t ScriptRepository::addVersion(std::int64_t project, std::int64_t id, const std::string& source,
                                          const std::string& comment, const Author& author) {
    std::int64_t version = 0;
    store_.transaction([&] {
        row(project, id);
        version = store_.query("SELECT COALESCE(MAX(version), 0) + 1 AS v FROM script_versions WHERE script_id = ?", {id})
                      .rows[0]["v"];
        store_.query("INSERT INTO script_versions (script_id, version, source, comment, author_id, author_name, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                     {id, version, source, comment, author.id, author.name, now()});
        store_.query("UPDATE scripts SET updated_at = ? WHERE id = ?", {now(), id});
    });
    return version;
}

nlohmann::json ScriptRepository::get(std::int64_t project, std::int64_t id) {
    nlohmann::json script = row(project, id);
    script["versions"] = store_.query("SELECT version, comment, author_id, author_name, created_at, LENGTH(source) AS bytes "
                                      "FROM script_versions WHERE script_id = ? ORDER BY version DESC",
                                      {id})
                             .rows;
    return script;
}

std::string ScriptRepository::source(std::int64_t project, std::int64_t id, std::int64_t version) {
    row(project, id);
    auto rows = store_.query("SELECT source FROM script_versions WHERE script_id = ? AND version = ?", {id, version}).rows;
    if (rows.empty()) throw sdk::Error::notFound("script.version_not_found", "no version " + std::to_string(version));
    return rows[0]["source"];
}

nlohmann::json ScriptRepository::list(std::int64_t project) {
    return store_.query(std::string("SELECT ") + kColumns +
                            ", (SELECT MAX(version) FROM script_versions v WHERE v.script_id = scripts.id) AS latest_version "
                            "FROM scripts WHERE project_id = ? AND deleted_at IS NULL ORDER BY hook, position, id",
                        {project})
        .rows;
}

std::string ScriptRepository::checkedName(const nlohmann::json& value) {
    if (!value.is_string() || value.get<std::string>().empty() || value.get<std::string>().size() > 100)
        throw sdk::Error::invalid("script.invalid", "name must be 1-100 characters");
    return value;
}

int ScriptRepository::checkedPosition(const nlohmann::json& value) {
    if (!value.is_number_integer() || value.get<std::int64_t>() < -100000 || value.get<std::int64_t>() > 100000)
        throw sdk::Error::invalid("script.invalid", "position must be a whole number");
    return value;
}

void ScriptRepository::update(std::int64_t project, std::int64_t id, const nlohmann::json& body) {
    row(project, id);
    if (body.contains("name"))
        store_.query("UPDATE scripts SET name = ?, updated_at = ? WHERE id = ?", {checkedName(body["name"]), now(), id});
    if (body.contains("position"))
        store_.query("UPDATE scripts SET position = ?, updated_at = ? WHERE id = ?", {checkedPosition(body["position"]), now(), id});
    invalidate(project);
}

std::int64_t ScriptRepository::activate(std::int64_t project, std::int64_t id, std::int64_t version) {
    std::int64_t before = 0;
    store_.transaction([&] {
        nlohmann::json script = row(project, id);
        if (store_.query("SELECT version FROM script_versions WHERE script_id = ? AND version = ?", {id, version}).rows.empty())
            throw sdk::Error::notFound("script.version_not_found", "no version " + std::to_string(version));
        before = script["active_version"].is_null() ? 0 : script["active_version"].get<std::int64_t>();
        store_.query("UPDATE scripts SET active_version = ?, previous_version = ?, failures = 0, disabled_reason = NULL, "
                     "updated_at = ? WHERE id = ?",
                     {version, before ? nlohmann::json(before) : script["previous_version"], now(), id});
    });
    invalidate(project);
    return before;
}

std::int64_t ScriptRepository::deactivate(std::int64_t project, std::int64_t id) {
    std::int64_t before = 0;
    store_.transaction([&] {
        nlohmann::json script = row(project, id);
        before = script["active_version"].is_null() ? 0 : script["active_version"].get<std::int64_t>();
        store_.query("UPDATE scripts SET active_version = NULL, previous_version = ?, updated_at = ? WHERE id = ?",
                     {before ? nlohmann::json(before) : script["previous_version"], now(), id});
    });
    invalidate(project);
    return before;
}

std::pair<std::int64_t, std::int64_t> ScriptRepository::rollback(std::int64_t project, std::int64_t id) {
    std::pair<std::int64_t, std::int64_t> change;
    store_.transaction([&] {
        nlohmann::json script = row(project, id);
        if (script["previous_version"].is_null())
            throw sdk::Error::conflict("script.nothing_to_roll_back", "this script has no earlier active version");
        const std::int64_t current = script["active_version"].is_null() ? 0 : script["active_version"].get<std::int64_t>();
        const std::int64_t previous = script["previous_version"];
        store_.query("UPDATE scripts SET active_version = ?, previous_version = ?, failures = 0, disabled_reason = NULL, "
                     "updated_at = ? WHERE id = ?",
                     {previous, current ? nlohmann::json(current) : nlohmann::json(nullptr), now(), id});
        change = {current, previous};
    });
    invalidate(project);
    return change;
}

void ScriptRepository::remove(std::int64_t project, std::int64_t id) {
    row(project, id);
    store_.query("UPDATE scripts SET deleted_at = ?, active_version = NULL WHERE id = ?", {now(), id});
    invalidate(project);
}

std::shared_ptr<const std::vector<ScriptRepository::Active>> ScriptRepository::active(std::int64_t project, const std::string& hook) {
    {
        std::lock_guard lock(mutex_);
        auto it = cache_.find({project, hook});
        if (it != cache_.end()) return it->second;
    }
    auto scripts = std::make_shared<std::vector<Active>>();
    for (const auto& r : store_.query("SELECT s.id, s.active_version, s.name, s.failures, v.source FROM scripts s "
                                      "JOIN script_versions v ON v.script_id = s.id AND v.version = s.active_version "
                                      "WHERE s.project_id = ? AND s.hook = ? AND s.deleted_at IS NULL AND s.disabled_reason IS NULL "
                                      "ORDER BY s.position, s.id",
                                      {project, hook})
                             .rows)
        scripts->push_back({r["id"], r["active_version"], r["name"], r["source"], static_cast<int>(r["failures"].get<std::int64_t>())});
    std::lock_guard lock(mutex_);
    cache_[{project, hook}] = scripts;
    return scripts;
}

int ScriptRepository::failed(std::int64_t project, std::int64_t id) {
    auto rows = store_.query("UPDATE scripts SET failures = failures + 1 WHERE id = ? AND project_id = ? RETURNING failures",
                             {id, project})
                    .rows;
    invalidate(project);
    return rows.empty() ? 0 : static_cast<int>(rows[0]["failures"].get<std::int64_t>());
}

void ScriptRepository::succeeded(std::int64_t project, std::int64_t id) {
    store_.query("UPDATE scripts SET failures = 0 WHERE id = ? AND project_id = ? AND failures > 0", {id, project});
    invalidate(project);
}

void ScriptRepository::switchOff(std::int64_t project, std::int64_t id, const std::string& reason) {
    store_.query("UPDATE scripts SET disabled_reason = ?, updated_at = ? WHERE id = ? AND project_id = ?", {reason, now(), id, project});
    invalidate(project);
}

void ScriptRepository::log(std::int64_t project, std::int64_t id, std::int64_t version, const std::string& hook,
                           const std::string& level, const std::string& message) {
    store_.query("INSERT INTO script_log (project_id, script_id, version, hook, level, message, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 {project, id ? nlohmann::json(id) : nlohmann::json(nullptr), version ? nlohmann::json(version) : nlohmann::json(nullptr),
                  hook, level, message, now()});
}

nlohmann::json ScriptRepository::logs(std::int64_t project, std::optional<std::int64_t> before, int limit) {
    return store_.query("SELECT id, script_id, version, hook, level, message, at FROM script_log WHERE project_id = ? AND id < ? "
                        "ORDER BY id DESC LIMIT ?",
                        {project, before.value_or(INT64_MAX), std::clamp(limit, 1, 500)})
        .rows;
}

} // namespace anchang
