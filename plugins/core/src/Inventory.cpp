#include "Inventory.h"

#include "InList.h"

namespace anchang::core {

namespace {
constexpr const char* kColumns = "u.id, u.building_id, b.name AS building, u.floor, u.number, u.layout, u.area, u.list_price, u.status, u.version";
}

nlohmann::json Inventory::buildings(std::int64_t project) const {
    return host_.db().query("SELECT b.id, b.name, b.floors, COUNT(u.id) AS units, "
                            "SUM(CASE WHEN u.status = 'available' THEN 1 ELSE 0 END) AS available "
                            "FROM core_buildings b LEFT JOIN core_units u ON u.building_id = b.id WHERE b.project_id = ? "
                            "GROUP BY b.id, b.name, b.floors ORDER BY b.id",
                            {project});
}

nlohmann::json Inventory::units(std::int64_t project, std::optional<std::int64_t> building, const std::optional<std::string>& status) const {
    std::string sql = std::string("SELECT ") + kColumns + " FROM core_units u JOIN core_buildings b ON b.id = u.building_id WHERE u.project_id = ?";
    nlohmann::json params = nlohmann::json::array({project});
    if (building) {
        sql += " AND u.building_id = ?";
        params.push_back(*building);
    }
    if (status) {
        sql += " AND u.status = ?";
        params.push_back(*status);
    }
    sql += " ORDER BY u.building_id, u.floor DESC, u.number";
    return host_.db().query(sql, params);
}

nlohmann::json Inventory::unit(std::int64_t project, std::int64_t id) const {
    auto row = host_.db().one(std::string("SELECT ") + kColumns + " FROM core_units u JOIN core_buildings b ON b.id = u.building_id "
                                                                  "WHERE u.id = ? AND u.project_id = ?",
                              {id, project});
    if (!row) throw sdk::Error::notFound("unit.not_found", "no such unit: " + std::to_string(id));
    return *row;
}

bool Inventory::move(std::int64_t project, std::int64_t id, std::initializer_list<const char*> from, const std::string& to) const {
    std::string in;
    nlohmann::json params = nlohmann::json::array({to, id, project});
    for (const char* status : from) {
        in += in.empty() ? "?" : ", ?";
        params.push_back(status);
    }
    return host_.db().exec("UPDATE core_units SET status = ?, version = version + 1 WHERE id = ? AND project_id = ? "
                           "AND status IN (" + in + ")",
                           params) == 1;
}

std::set<std::int64_t> Inventory::moveAll(std::int64_t project, const std::vector<std::int64_t>& ids, std::initializer_list<const char*> from,
                                          const std::string& to) const {
    std::set<std::int64_t> moved;
    std::string in;
    for (std::size_t i = 0; i < from.size(); ++i) in += i ? ", ?" : "?";
    const std::string sql = "UPDATE core_units SET status = ?, version = version + 1 WHERE project_id = ? AND status IN (" + in + ") AND id IN " +
                            inList() + " RETURNING id";
    for (std::size_t at = 0; at < ids.size(); at += kInList) {
        nlohmann::json params = nlohmann::json::array({to, project});
        for (const char* status : from) params.push_back(status);
        appendInList(params, ids, at);
        for (const auto& row : host_.db().run(sql, params).rows) moved.insert(row["id"].get<std::int64_t>());
    }
    return moved;
}

nlohmann::json Inventory::update(std::int64_t project, std::int64_t id, const nlohmann::json& body, std::int64_t actorId, const std::string& actorName) const {
    if (!body.is_object()) throw sdk::Error::invalid("unit.invalid", "the body must be an object");
    const nlohmann::json current = unit(project, id);
    if (body.contains("status") && body["status"] != "held" && body["status"] != "available")
        throw sdk::Error::invalid("unit.invalid", "inventory control sets held or available; deals set the rest");
    if (body.contains("list_price") && (!body["list_price"].is_number_integer() || body["list_price"] <= 0))
        throw sdk::Error::invalid("unit.invalid", "list_price must be a positive amount in yuan");
    // A hold, a release or a new price is 销控: who did it, and what the unit was, is on record
    // in the same commit as the change.
    host_.db().transaction([&] {
        if (body.contains("status")) {
            const bool hold = body["status"] == "held";
            if (!move(project, id, {hold ? "available" : "held"}, body["status"]))
                throw hold ? sdk::Error::conflict("unit.not_available", "only an available unit can be held; it is " + current["status"].get<std::string>())
                           : sdk::Error::conflict("unit.not_held", "only a held unit can be released; it is " + current["status"].get<std::string>());
            host_.publish("unit.status_changed", {{"unit_id", id}, {"status", body["status"]}}, project);
        }
        if (body.contains("list_price")) host_.db().exec("UPDATE core_units SET list_price = ?, version = version + 1 WHERE id = ?", {body["list_price"], id});
        host_.audit({{"actor_id", actorId}, {"actor_name", actorName}, {"project_id", project},
                     {"action", body.contains("status") ? (body["status"] == "held" ? "unit.hold" : "unit.release") : "unit.reprice"},
                     {"target", "unit:" + std::to_string(id)},
                     {"detail", {{"building", current["building"]}, {"number", current["number"]}, {"from", {{"status", current["status"]}, {"list_price", current["list_price"]}}},
                                 {"to", body}}}});
    });
    return unit(project, id);
}

nlohmann::json Inventory::reserve(std::int64_t project, const nlohmann::json& unitIds, bool reserve) const {
    if (!unitIds.is_array() || unitIds.empty() || unitIds.size() > 20000) throw sdk::Error::invalid("unit.invalid", "unit_ids must list 1 to 20,000 units");
    for (const auto& id : unitIds)
        if (!id.is_number_integer()) throw sdk::Error::invalid("unit.invalid", "unit_ids must list unit ids");
    nlohmann::json moved = nlohmann::json::array(), refused = nlohmann::json::array();
    host_.db().transaction([&] {
        for (const auto& id : unitIds) {
            if (move(project, id, {reserve ? "available" : "selected"}, reserve ? "selected" : "available")) moved.push_back(id);
            else {
                const auto row = host_.db().one("SELECT status FROM core_units WHERE id = ? AND project_id = ?", {id, project});
                refused.push_back({{"unit_id", id}, {"status", row ? (*row)["status"] : nlohmann::json("not_found")}});
            }
        }
    });
    for (const auto& id : moved) host_.publish("unit.status_changed", {{"unit_id", id}, {"status", reserve ? "selected" : "available"}}, project);
    return {{"moved", moved}, {"refused", refused}};
}

nlohmann::json Inventory::layouts(std::int64_t project) const {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& row : host_.db().query("SELECT layout, MIN(area) AS min_area, MAX(area) AS max_area, COUNT(*) AS units "
                                            "FROM core_units WHERE project_id = ? GROUP BY layout ORDER BY MIN(area)",
                                            {project}))
        out.push_back(row);
    return out;
}

} // namespace anchang::core
