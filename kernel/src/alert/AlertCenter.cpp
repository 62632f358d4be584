#include "alert/AlertCenter.h"

#include "anchang/sdk/Error.hpp"
#include "anchang/sdk/Json.hpp"
#include "bus/BusClient.h"
#include "bus/BusProtocol.h"
#include "store/Store.h"

namespace anchang {

std::int64_t AlertCenter::raise(std::int64_t project, const std::string& kind, const nlohmann::json& message,
                                const nlohmann::json& detail) {
    const std::int64_t id = store_.query("INSERT INTO alerts (project_id, kind, message, detail, created_at) VALUES (?, ?, ?, ?, ?) "
                                         "RETURNING id",
                                         {project, kind, message.dump(), detail.dump(), BusProtocol::nowMs()})
                                .rows[0]["id"];
    bus_.publish("kernel.alert", "kernel", project,
                 nlohmann::json{{"id", id}, {"kind", kind}, {"message", message}, {"detail", detail}}.dump());
    return id;
}

nlohmann::json AlertCenter::list(std::int64_t project, bool all) {
    std::string sql = "SELECT id, project_id, kind, message, detail, created_at, acknowledged_by, acknowledged_at FROM alerts WHERE 1 = 1";
    nlohmann::json params = nlohmann::json::array();
    if (project) {
        sql += " AND project_id = ?";
        params.push_back(project);
    }
    if (!all) sql += " AND acknowledged_at IS NULL";
    sql += " ORDER BY id DESC LIMIT 200";
    nlohmann::json rows = store_.query(sql, params).rows;
    for (auto& row : rows) {
        row["message"] = sdk::Json::parse(row["message"].get<std::string>());
        row["detail"] = sdk::Json::parse(row["detail"].get<std::string>());
    }
    return rows;
}

void AlertCenter::acknowledge(std::int64_t id, std::int64_t userId, std::int64_t project) {
    auto rows = store_.query("SELECT project_id FROM alerts WHERE id = ?", {id}).rows;
    if (rows.empty() || (project && rows[0]["project_id"] != project))
        throw sdk::Error::notFound("alert.not_found", "no such alert: " + std::to_string(id));
    store_.query("UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL",
                 {userId, BusProtocol::nowMs(), id});
}

} // namespace anchang
