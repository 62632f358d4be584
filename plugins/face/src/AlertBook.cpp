#include "AlertBook.h"

#include <anchang/sdk/Error.hpp>
#include <anchang/sdk/Fields.hpp>
#include <anchang/sdk/Phone.hpp>

namespace anchang::face {

namespace {

constexpr const char* kInvalid = "face.invalid";

nlohmann::json ruleWords(const std::string& rule) {
    if (rule == "channel_after_natural")
        return {{"zh-CN", "渠道带访客户与更早的自然到访是同一人"}, {"en", "A channel brought someone who had come on their own before"}};
    if (rule == "other_phone") return {{"zh-CN", "同一人此前以另一手机号到访"}, {"en", "The same person came earlier under another phone"}};
    return {{"zh-CN", "认购的共同购房人在渠道带访之前已自然到访"}, {"en", "A co-buyer had come on their own before the channel's visit"}};
}

} // namespace

nlohmann::json AlertBook::snapshot(const nlohmann::json& capture) {
    const auto phone = capture.value("phone", std::string{});
    return {{"capture_id", capture["id"]},
            {"at", capture["created_at"]},
            {"phone", sdk::Phone::masked(phone)},
            {"name", capture.value("name", std::string{})},
            {"source", capture.value("source", nlohmann::json(nullptr))},
            {"channel", capture.value("channel", nlohmann::json(nullptr))},
            {"visit_id", capture.value("visit_id", nlohmann::json(nullptr))},
            {"visit_number", capture.value("visit_number", nlohmann::json(nullptr))},
            {"customer_id", capture.value("customer_id", nlohmann::json(nullptr))}};
}

void AlertBook::raise(std::int64_t project, const Finding& finding, const nlohmann::json& current, const nlohmann::json& earlier,
                      const nlohmann::json& customerId) {
    const auto inserted = host_.db().query(
        "INSERT INTO face_alerts (project_id, rule, capture_id, earlier_capture_id, customer_id, distance, threshold, current_visit, earlier_visit, status, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?) ON CONFLICT (project_id, capture_id, earlier_capture_id) DO NOTHING RETURNING id",
        {project, finding.rule, current["capture_id"], finding.earlier.captureId, customerId, finding.earlier.distance, rule_.threshold(), current.dump(),
         earlier.dump(), host_.now()});
    if (inserted.empty()) return; // raised before for this pair
    const std::int64_t id = inserted[0]["id"];
    host_.audit({{"actor_id", 0}, {"actor_name", "face"}, {"project_id", project}, {"action", "face.alert.raise"}, {"target", "face_alert:" + std::to_string(id)},
                 {"detail", {{"rule", finding.rule}, {"distance", finding.earlier.distance}, {"customer_id", customerId}}}});
    const auto words = ruleWords(finding.rule);
    host_.call("kernel.alert.raise",
               {{"kind", "face.bypass"},
                {"title", {{"zh-CN", "人脸风控：疑似飞单"}, {"en", "Face check: possible bypass"}}},
                {"message", {{"zh-CN", words["zh-CN"].get<std::string>() + "（第 " + std::to_string(id) + " 号提醒，待风控裁定）"},
                             {"en", words["en"].get<std::string>() + " (alert " + std::to_string(id) + ", for the risk officer)"}}},
                {"subject", "face_alert:" + std::to_string(id)}},
               project);
    host_.publish("face.alert.raised", {{"alert_id", id}, {"rule", finding.rule}, {"customer_id", customerId}}, project);
    host_.publish("push.face.alert", {{"audience", {{"permission", "face.alerts.read"}}}, {"data", {{"event", "raised"}, {"alert_id", id}, {"rule", finding.rule}}}},
                  project);
}

nlohmann::json AlertBook::view(std::int64_t project, const nlohmann::json& row) const {
    auto side = [&](const std::string& column) {
        auto visit = nlohmann::json::parse(row[column].get<std::string>());
        // Whether the photo can still be shown: kept by the project, not expired, not deleted.
        visit["photo"] = host_.db()
                             .one("SELECT id FROM face_captures WHERE id = ? AND project_id = ? AND photo IS NOT NULL AND photo_until > ?",
                                  {visit["capture_id"], project, host_.now()})
                             .has_value();
        return visit;
    };
    const float distance = row["distance"].get<float>();
    nlohmann::json ruling = nullptr;
    if (row["status"] != "open")
        ruling = {{"verdict", row["status"] == "confirmed" ? "bypass" : "dismissed"}, {"note", row["note"]}, {"by", row["ruled_by"]},
                  {"by_name", row["ruled_by_name"]}, {"at", row["ruled_at"]}};
    return {{"id", row["id"]},
            {"rule", row["rule"]},
            {"rule_words", ruleWords(row["rule"])},
            {"status", row["status"]},
            {"distance", distance},
            {"similarity", rule_.similarity(distance)},
            {"threshold", row["threshold"]},
            {"created_at", row["created_at"]},
            {"customer_id", row["customer_id"]},
            {"current", side("current_visit")},
            {"earlier", side("earlier_visit")},
            {"ruling", ruling}};
}

nlohmann::json AlertBook::list(std::int64_t project, const std::string& status) const {
    if (status != "open" && status != "confirmed" && status != "dismissed" && status != "all")
        throw sdk::Error::invalid(kInvalid, "status must be open, confirmed, dismissed or all");
    nlohmann::json alerts = nlohmann::json::array();
    // Two statements rather than "? = 'all'": PostgreSQL cannot type a parameter compared with a literal.
    const auto rows = status == "all"
                          ? host_.db().query("SELECT * FROM face_alerts WHERE project_id = ? ORDER BY created_at DESC, id DESC LIMIT 500", {project})
                          : host_.db().query("SELECT * FROM face_alerts WHERE project_id = ? AND status = ? ORDER BY created_at DESC, id DESC LIMIT 500", {project, status});
    for (const auto& row : rows) alerts.push_back(view(project, row));
    nlohmann::json counts = {{"open", 0}, {"confirmed", 0}, {"dismissed", 0}};
    for (const auto& row : host_.db().query("SELECT status, COUNT(*) AS n FROM face_alerts WHERE project_id = ? GROUP BY status", {project}))
        counts[row["status"].get<std::string>()] = row["n"];
    return {{"alerts", alerts}, {"counts", counts}};
}

nlohmann::json AlertBook::get(std::int64_t project, std::int64_t id, const Actor& actor) const {
    const auto row = host_.db().one("SELECT * FROM face_alerts WHERE id = ? AND project_id = ?", {id, project});
    if (!row) throw sdk::Error::notFound("face.alert_not_found", "no such alert in this project: " + std::to_string(id));
    host_.audit({{"actor_id", actor.id}, {"actor_name", actor.name}, {"project_id", project}, {"action", "face.alert.read"},
                 {"target", "face_alert:" + std::to_string(id)}, {"detail", nlohmann::json::object()}});
    return view(project, *row);
}

nlohmann::json AlertBook::rule(std::int64_t project, std::int64_t id, const nlohmann::json& body, const Actor& actor) {
    const std::string verdict = sdk::Fields::text(body, "verdict", 20, true, kInvalid);
    if (verdict != "bypass" && verdict != "dismissed") throw sdk::Error::invalid(kInvalid, "verdict must be bypass or dismissed");
    const std::string note = sdk::Fields::text(body, "note", 1500, true, kInvalid);
    nlohmann::json customer = nullptr;
    host_.db().transaction([&] {
        const auto row = host_.db().one("SELECT * FROM face_alerts WHERE id = ? AND project_id = ?", {id, project});
        if (!row) throw sdk::Error::notFound("face.alert_not_found", "no such alert in this project: " + std::to_string(id));
        // Compare-and-set: of two officers ruling at once, the second is told it was ruled.
        if (host_.db().exec("UPDATE face_alerts SET status = ?, note = ?, ruled_by = ?, ruled_by_name = ?, ruled_at = ? WHERE id = ? AND status = 'open'",
                            {verdict == "bypass" ? "confirmed" : "dismissed", note, actor.id, actor.name, host_.now(), id}) == 0)
            throw sdk::Error::conflict("face.alert_ruled", "this alert was already ruled");
        customer = (*row)["customer_id"];
        host_.audit({{"actor_id", actor.id}, {"actor_name", actor.name}, {"project_id", project}, {"action", "face.alert.rule"},
                     {"target", "face_alert:" + std::to_string(id)}, {"detail", {{"verdict", verdict}, {"note", note}, {"customer_id", customer}}}});
        host_.publish("face.alert.ruled", {{"alert_id", id}, {"verdict", verdict}, {"customer_id", customer}}, project);
    });
    host_.call("kernel.alert.resolve", {{"kind", "face.bypass"}, {"subject", "face_alert:" + std::to_string(id)}}, project);
    return view(project, *host_.db().one("SELECT * FROM face_alerts WHERE id = ?", {id}));
}

bool AlertBook::holds(std::int64_t project) const {
    if (hold_.is_boolean()) return hold_.get<bool>();
    if (!hold_.is_object()) return true;
    const std::string code = host_.project(project).value("code", std::string{});
    const auto own = hold_.find(code);
    if (own != hold_.end() && own->is_boolean()) return own->get<bool>();
    return hold_.value("default", true);
}

nlohmann::json AlertBook::confirmation(std::int64_t project, const nlohmann::json& body) const {
    const auto customer = body.value("customer_id", nlohmann::json(nullptr));
    if (host_.db().one("SELECT id FROM face_alerts WHERE project_id = ? AND customer_id = ? AND status = 'confirmed' LIMIT 1", {project, customer}))
        return {{"verdict", "refuse"},
                {"reason", {{"zh-CN", "人脸风控已确认飞单：该客户此前已自然到访"}, {"en", "Face check confirmed a bypass: the customer had come on their own before"}}}};
    if (holds(project) && host_.db().one("SELECT id FROM face_alerts WHERE project_id = ? AND customer_id = ? AND status = 'open' LIMIT 1", {project, customer}))
        return {{"verdict", "hold"},
                {"reason", {{"zh-CN", "人脸风控提醒待裁定，确客暂缓"}, {"en", "A face alert waits for the risk officer: confirmation on hold"}}}};
    return {{"verdict", "clear"}};
}

}  // namespace anchang::face
