#include "project/ProjectDirectory.h"

#include "anchang/sdk/Error.hpp"
#include "store/Store.h"

#include <Poco/Timestamp.h>

#include <regex>

namespace anchang {

namespace {

nlohmann::json shape(nlohmann::json row) {
    row["archived"] = row["archived"].get<std::int64_t>() == 1;
    return row;
}

std::string name(const nlohmann::json& body) {
    auto it = body.find("name");
    if (it == body.end() || !it->is_string() || it->get<std::string>().empty() || it->get<std::string>().size() > 100)
        throw sdk::Error::invalid("project.invalid", "name is required (1-100 characters)");
    return it->get<std::string>();
}

/// The sales office's clock: UTC-12:00 to UTC+14:00 in whole minutes (+5:30, +5:45 included).
int utcOffset(const nlohmann::json& body) {
    const auto& offset = body["utc_offset_minutes"];
    if (!offset.is_number_integer() || offset.get<std::int64_t>() < -720 || offset.get<std::int64_t>() > 840)
        throw sdk::Error::invalid("project.invalid", "utc_offset_minutes must be a whole number from -720 to 840");
    return offset.get<int>();
}

} // namespace

ProjectDirectory::ProjectDirectory(Store& store, std::function<int()> limit) : store_(store), limit_(std::move(limit)) {
    reload();
}

void ProjectDirectory::reload() {
    std::set<std::int64_t> ids;
    for (const auto& row : store_.query("SELECT id FROM projects").rows) ids.insert(row["id"].get<std::int64_t>());
    std::lock_guard lock(mutex_);
    ids_ = std::move(ids);
}

bool ProjectDirectory::exists(std::int64_t id) {
    std::lock_guard lock(mutex_);
    return ids_.count(id) > 0;
}

nlohmann::json ProjectDirectory::list(const Principal& principal) {
    nlohmann::json out = nlohmann::json::array();
    for (auto& row : store_.query("SELECT id, code, name, archived, utc_offset_minutes, created_at FROM projects ORDER BY id").rows)
        if (principal.memberOf(row["id"].get<std::int64_t>())) {
            row["roles"] = principal.rolesIn(row["id"].get<std::int64_t>());
            out.push_back(shape(std::move(row)));
        }
    return out;
}

nlohmann::json ProjectDirectory::all() {
    nlohmann::json out = nlohmann::json::array();
    for (auto& row : store_.query("SELECT id, code, name, archived, utc_offset_minutes, created_at FROM projects ORDER BY id").rows)
        out.push_back(shape(std::move(row)));
    return out;
}

nlohmann::json ProjectDirectory::get(std::int64_t id) {
    auto rows = store_.query("SELECT id, code, name, archived, utc_offset_minutes, created_at FROM projects WHERE id = ?", {id}).rows;
    if (rows.empty()) throw sdk::Error::notFound("project.not_found", "no such project: " + std::to_string(id));
    return shape(std::move(rows[0]));
}

nlohmann::json ProjectDirectory::create(const nlohmann::json& body) {
    static const std::regex codePattern("[a-z0-9][a-z0-9-]{1,31}");
    auto it = body.find("code");
    if (it == body.end() || !it->is_string() || !std::regex_match(it->get<std::string>(), codePattern))
        throw sdk::Error::invalid("project.invalid", "code must be 2-32 lower-case letters, digits or '-'");
    const std::string code = it->get<std::string>();
    const std::string projectName = name(body);
    const int offset = body.contains("utc_offset_minutes") ? utcOffset(body) : 480;
    std::int64_t id = 0;
    store_.transaction([&] {
        const auto count = store_.query("SELECT COUNT(*) AS n FROM projects").rows[0]["n"].get<std::int64_t>();
        if (count >= limit_())
            throw sdk::Error::forbidden("licence.project_limit",
                                        "the licence allows " + std::to_string(limit_()) + " projects");
        if (!store_.query("SELECT id FROM projects WHERE code = ?", {code}).rows.empty())
            throw sdk::Error::conflict("project.code_taken", "project code already taken: " + code);
        id = store_.query("INSERT INTO projects (code, name, archived, utc_offset_minutes, created_at) VALUES (?, ?, 0, ?, ?) RETURNING id",
                          {code, projectName, offset, Poco::Timestamp().epochMicroseconds() / 1000})
                 .rows[0]["id"];
    });
    reload();
    return get(id);
}

nlohmann::json ProjectDirectory::update(std::int64_t id, const nlohmann::json& body) {
    get(id);
    if (body.contains("name")) store_.query("UPDATE projects SET name = ? WHERE id = ?", {name(body), id});
    if (body.contains("utc_offset_minutes")) store_.query("UPDATE projects SET utc_offset_minutes = ? WHERE id = ?", {utcOffset(body), id});
    if (body.contains("archived")) {
        if (!body["archived"].is_boolean()) throw sdk::Error::invalid("project.invalid", "archived must be true or false");
        store_.query("UPDATE projects SET archived = ? WHERE id = ?", {body["archived"].get<bool>() ? 1 : 0, id});
    }
    return get(id);
}

} // namespace anchang
