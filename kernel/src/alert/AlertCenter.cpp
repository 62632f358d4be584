#include "alert/AlertCenter.h"

#include "anchang/sdk/Error.hpp"
#include "anchang/sdk/Json.hpp"
#include "bus/BusClient.h"
#include "bus/BusProtocol.h"
#include "store/Store.h"

namespace anchang {

namespace {

constexpr const char* kColumns =
    "id, project_id, kind, title, message, detail, subject, created_at, acknowledged_by, acknowledged_at, resolved_at";

nlohmann::json shape(nlohmann::json row) {
    row["message"] = sdk::Json::parse(row["message"].get<std::string>());
    row["detail"] = sdk::Json::parse(row["detail"].get<std::string>());
    row["title"] = row["title"].is_string() ? sdk::Json::parse(row["title"].get<std::string>()) : nlohmann::json(nullptr);
    return row;
}

} // namespace

void AlertCenter::push(std::int64_t project, const std::string& event, const nlohmann::json& data) {
    nlohmann::json body = {{"audience", {{"permission", "kernel.alerts.read"}}}, {"data", data}};
    body["data"]["event"] = event;
    bus_.publish("push.kernel.alerts", "kernel", project, body.dump());
}

std::int64_t AlertCenter::raise(std::int64_t project, const Alert& alert) {
    const std::int64_t id = store_.query("INSERT INTO alerts (project_id, kind, title, message, detail, subject, created_at) "
                                         "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                         {project, alert.kind, alert.title.dump(), alert.message.dump(), alert.detail.dump(),
                                          alert.subject.empty() ? nlohmann::json(nullptr) : nlohmann::json(alert.subject), BusProtocol::nowMs()})
                                .rows[0]["id"];
    const nlohmann::json published = {{"id", id}, {"kind", alert.kind}, {"title", alert.title}, {"message", alert.message}, {"detail", alert.detail}};
    bus_.publish("kernel.alert", "kernel", project, published.dump());
    push(project, "raised", {{"alert", published}});
    return id;
}

int AlertCenter::resolve(std::int64_t project, const std::string& kind, const std::string& subject) {
    const auto now = BusProtocol::nowMs();
    const auto rows = store_.query("UPDATE alerts SET resolved_at = ?, acknowledged_at = ? WHERE project_id = ? AND kind = ? AND subject = ? "
                                   "AND acknowledged_at IS NULL RETURNING id",
                                   {now, now, project, kind, subject})
                          .rows;
    if (!rows.empty()) {
        nlohmann::json ids = nlohmann::json::array();
        for (const auto& row : rows) ids.push_back(row["id"]);
        push(project, "closed", {{"ids", ids}});
    }
    return static_cast<int>(rows.size());
}

nlohmann::json AlertCenter::list(std::int64_t project, bool all) {
    std::string sql = std::string("SELECT ") + kColumns + " FROM alerts WHERE 1 = 1";
    nlohmann::json params = nlohmann::json::array();
    if (project) {
        sql += " AND project_id = ?";
        params.push_back(project);
    }
    if (!all) sql += " AND acknowledged_at IS NULL";
    sql += " ORDER BY id DESC LIMIT 200";
    nlohmann::json rows = nlohmann::json::array();
    for (auto& row : store_.query(sql, params).rows) rows.push_back(shape(std::move(row)));
    return rows;
}

void AlertCenter::acknowledge(std::int64_t id, std::int64_t userId, std::int64_t project) {
    auto rows = store_.query("SELECT project_id FROM alerts WHERE id = ?", {id}).rows;
    if (rows.empty() || (project && rows[0]["project_id"] != project))
        throw sdk::Error::notFound("alert.not_found", "no such alert: " + std::to_string(id));
    const bool closed = !store_.query("UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL "
                                      "RETURNING id",
                                      {userId, BusProtocol::nowMs(), id})
                             .rows.empty();
    // Every manager's bell follows, not only the one who acknowledged.
    if (closed) push(rows[0]["project_id"], "closed", {{"ids", {id}}});
}

} // namespace anchang
