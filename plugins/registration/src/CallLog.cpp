#include "CallLog.h"

#include <anchang/sdk/Fields.hpp>
#include <anchang/sdk/Json.hpp>
#include <anchang/sdk/Phone.hpp>

#include <algorithm>

namespace anchang::registration {

nlohmann::json CallLog::record(std::int64_t project, const nlohmann::json& body, std::int64_t userId) const {
    const std::string phone = body.contains("phone") && body["phone"].is_string() ? sdk::Phone::normalize(body["phone"].get<std::string>()) : "";
    if (phone.empty()) throw sdk::Error::invalid("call.phone_invalid", "the caller's phone must be an 11-digit mainland mobile number");
    const std::string name = sdk::Fields::text(body, "name", 2000, false, "call.invalid");
    const std::string notes = sdk::Fields::text(body, "notes", 2000, false, "call.invalid");
    if (body.contains("questionnaire") && !body["questionnaire"].is_object()) throw sdk::Error::invalid("call.invalid", "questionnaire must be an object");
    if (body.contains("consultant_id") && !body["consultant_id"].is_null() && !body["consultant_id"].is_number_integer())
        throw sdk::Error::invalid("call.invalid", "consultant_id must be a user id");
    const std::int64_t now = day_.now();
    std::int64_t id = 0;
    // The call and its event commit together (visit.call_recorded is durable).
    host_.db().transaction([&] {
        id = host_.db()
                 .run("INSERT INTO registration_calls (project_id, phone, name, notes, questionnaire, consultant_id, recorded_by, recorded_at, day) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             {project, phone, name.empty() ? nlohmann::json(nullptr) : nlohmann::json(name), notes,
                              body.value("questionnaire", nlohmann::json::object()).dump(), body.value("consultant_id", nlohmann::json(nullptr)),
                              userId, now, day_.of(project, now)})
                 .rows.at(0).at("id").get<std::int64_t>();
        host_.publish("visit.call_recorded", {{"call_id", id}}, project);
    });
    auto row = *host_.db().one("SELECT * FROM registration_calls WHERE id = ?", {id});
    row["questionnaire"] = sdk::Json::parse(row["questionnaire"].get<std::string>());
    return row;
}

nlohmann::json CallLog::list(std::int64_t project, const std::optional<std::string>& day, int limit) const {
    std::string sql = "SELECT id, phone, name, notes, questionnaire, consultant_id, recorded_by, recorded_at, day FROM registration_calls "
                      "WHERE project_id = ?";
    nlohmann::json params = nlohmann::json::array({project});
    if (day) {
        sql += " AND day = ?";
        params.push_back(*day);
    }
    sql += " ORDER BY id DESC LIMIT ?";
    params.push_back(std::clamp(limit, 1, 1000));
    nlohmann::json rows = host_.db().query(sql, params);
    for (auto& row : rows) row["questionnaire"] = sdk::Json::parse(row["questionnaire"].get<std::string>());
    return rows;
}

} // namespace anchang::registration
