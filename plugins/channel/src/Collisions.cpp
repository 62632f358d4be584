#include "Collisions.h"

#include <anchang/sdk/Json.hpp>

#include <algorithm>

namespace anchang::channel {

namespace {

constexpr const char* kColumns =
    "id, kind, customer_id, phone, report_ids, rule, winner_report_id, evidence, status, ruled_at, appeal_by, appeal_reason, appealed_at, "
    "decided_by, decided_by_name, decision_note, decided_at";

/// The built-in rule, as hooks/channel.arbitrate.js has it (the script starts from it).
nlohmann::json builtIn(const std::string& kind, const std::string& rule, const nlohmann::json& reports) {
    if (kind != "channels") return {{"winner_report_id", nullptr}, {"reason", "归案场"}};
    const char* key = rule == "first_visit" ? "visited_at" : "reported_at";
    const nlohmann::json* best = nullptr;
    for (const auto& r : reports) {
        if (r["status"] == "rejected" || !r[key].is_number()) continue;
        if (!best || r[key] < (*best)[key] || (r[key] == (*best)[key] && r["id"] < (*best)["id"])) best = &r;
    }
    if (!best) return {{"winner_report_id", nullptr}, {"reason", "无有效报备"}};
    return {{"winner_report_id", (*best)["id"]}, {"reason", rule == "first_visit" ? "先到访者得" : "先报备者得"}};
}

} // namespace

nlohmann::json Collisions::shape(nlohmann::json row) const {
    row["report_ids"] = sdk::Json::parse(row["report_ids"].get<std::string>());
    row["evidence"] = sdk::Json::parse(row["evidence"].get<std::string>());
    return row;
}

nlohmann::json Collisions::get(std::int64_t project, std::int64_t id) const {
    auto row = host_.db().one(std::string("SELECT ") + kColumns + " FROM channel_collisions WHERE project_id = ? AND id = ?", {project, id});
    if (!row) throw sdk::Error::notFound("channel.collision_not_found", "no such collision: " + std::to_string(id));
    return shape(std::move(*row));
}

nlohmann::json Collisions::list(std::int64_t project, const std::optional<std::string>& status) const {
    std::string sql = std::string("SELECT ") + kColumns + " FROM channel_collisions WHERE project_id = ?";
    nlohmann::json params = {project};
    if (status) {
        sql += " AND status = ?";
        params.push_back(*status);
    }
    nlohmann::json out = nlohmann::json::array();
    for (auto& row : host_.db().query(sql + " ORDER BY id DESC LIMIT 200", params)) out.push_back(shape(std::move(row)));
    return out;
}

nlohmann::json Collisions::rule(std::int64_t project, const std::string& kind, const nlohmann::json& customerId, const std::string& phone,
                                const nlohmann::json& reports) const {
    // The evidence the ruling rests on, kept with it: each report's times and state, and the
    // customer's visits as the desk registered them.
    nlohmann::json evidence = {{"reports", nlohmann::json::array()}, {"visits", nlohmann::json::array()}};
    nlohmann::json ids = nlohmann::json::array();
    for (auto report : reports) {
        report.erase("code");
        ids.push_back(report["id"]);
        evidence["reports"].push_back(std::move(report));
    }
    if (customerId.is_number_integer()) {
        const auto visits = host_.call("registration.visits.of_customer", {{"customer_id", customerId}}, project);
        if (visits.ok())
            for (const auto& v : visits.body["visits"]) {
                nlohmann::json line = nlohmann::json::object();
                for (const char* key : {"id", "number", "registered_at", "status", "receiver_name"}) line[key] = v.value(key, nlohmann::json(nullptr));
                line["channel"] = v.value("checks", nlohmann::json::object()).value("channel", nlohmann::json(nullptr));
                evidence["visits"].push_back(std::move(line));
            }
    }
    // The project's script may rule otherwise; it must name one of these reports or the site.
    const nlohmann::json input = {{"kind", kind}, {"rule", rule_}, {"reports", evidence["reports"]}};
    nlohmann::json ruling = builtIn(kind, rule_, evidence["reports"]);
    const auto hook = host_.hook("channel.arbitrate", project, input);
    if (!hook.fallback && hook.output.is_object()) {
        const auto chosen = hook.output.value("winner_report_id", nlohmann::json(nullptr));
        if (chosen.is_null() || std::find(ids.begin(), ids.end(), chosen) != ids.end())
            ruling = {{"winner_report_id", chosen}, {"reason", hook.output.value("reason", std::string("项目规则"))}};
        else
            host_.warning("channel.arbitrate chose report " + chosen.dump() + ", not one of the collision's: the built-in rule applies");
    }
    evidence["reason"] = ruling["reason"];
    nlohmann::json collision;
    host_.db().transaction([&] {
        const auto id = host_.db()
                            .run("INSERT INTO channel_collisions (project_id, kind, customer_id, phone, report_ids, rule, winner_report_id, evidence, "
                                 "status, ruled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ruled', ?) RETURNING id",
                                 {project, kind, customerId, phone, ids.dump(), hook.fallback ? rule_ : std::string("script"), ruling["winner_report_id"],
                                  evidence.dump(), host_.now()})
                            .rows.at(0)
                            .at("id")
                            .get<std::int64_t>();
        collision = get(project, id);
        apply(project, collision, ruling["winner_report_id"], ruling["reason"]);
        host_.publish("channel.collision.ruled", {{"collision_id", id}, {"kind", kind}, {"winner_report_id", ruling["winner_report_id"]}}, project);
    });
    // The visit gave the customer the confirmed report's channel; another winner changes it.
    nlohmann::json confirmed = nullptr;
    for (const auto& r : collision["evidence"]["reports"])
        if (r["visit_id"].is_number_integer()) confirmed = r["id"];
    attribute(project, collision, ruling["winner_report_id"], confirmed);
    tell(project, collision);
    return collision;
}

void Collisions::apply(std::int64_t project, const nlohmann::json& collision, const nlohmann::json& winner, const std::string& why) const {
    // The visit the winner holds is the one that brought the collision: the confirmed report's.
    nlohmann::json visit = nullptr;
    for (const auto& r : collision["evidence"]["reports"])
        if (r["visit_id"].is_number_integer()) visit = r;
    for (const auto& r : collision["evidence"]["reports"]) {
        if (r["id"] == winner) {
            if (visit.is_object())
                host_.db().exec("UPDATE channel_reports SET status = 'visited', reason_code = NULL, reason = NULL, visited_at = ?, visit_id = ?, "
                                "customer_id = ?, protected_until = ?, collision_id = ? WHERE id = ? AND project_id = ?",
                                {visit["visited_at"], visit["visit_id"], visit["customer_id"], visit["protected_until"], collision["id"], r["id"], project});
            continue;
        }
        host_.db().exec("UPDATE channel_reports SET status = 'rejected', reason_code = 'collision_lost', reason = ?, protected_until = NULL, "
                        "visit_id = NULL, visited_at = NULL, collision_id = ? WHERE id = ? AND project_id = ?",
                        {"撞单判定：" + why + "（第 " + collision["id"].dump() + " 号撞单）", collision["id"], r["id"], project});
        host_.db().exec("DELETE FROM channel_claims WHERE project_id = ? AND report_id = ?", {project, r["id"]});
    }
    // The winner holds the customer's phone from now on, for the rest of the visit's window.
    if (!winner.is_null() && visit.is_object() && visit["protected_until"].is_number())
        host_.db().exec("INSERT INTO channel_claims (project_id, phone_key, report_id, protected_until) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (project_id, phone_key) DO UPDATE SET report_id = excluded.report_id, protected_until = excluded.protected_until",
                        {project, collision["phone"], winner, visit["protected_until"]});
}

nlohmann::json Collisions::appeal(std::int64_t project, std::int64_t id, std::int64_t agentId, const std::string& reason) const {
    nlohmann::json collision;
    host_.db().transaction([&] {
        collision = get(project, id);
        bool lost = false;
        for (const auto& r : collision["evidence"]["reports"])
            if (r["agent_id"] == agentId && r["id"] != collision["winner_report_id"]) lost = true;
        if (!lost) throw sdk::Error::forbidden("channel.not_appellant", "only an agent whose report lost may appeal");
        if (host_.db().exec("UPDATE channel_collisions SET status = 'appealed', appeal_by = ?, appeal_reason = ?, appealed_at = ? "
                            "WHERE id = ? AND project_id = ? AND status = 'ruled'",
                            {agentId, reason, host_.now(), id, project}) == 0)
            throw sdk::Error::conflict("channel.appeal_closed", "a collision may be appealed once, before the manager decides");
        collision = get(project, id);
    });
    return collision;
}

nlohmann::json Collisions::decide(std::int64_t project, std::int64_t id, const nlohmann::json& winner, const std::string& note, std::int64_t actorId,
                                  const std::string& actorName) const {
    nlohmann::json collision, previous;
    host_.db().transaction([&] {
        collision = get(project, id);
        if (!winner.is_null() && std::find(collision["report_ids"].begin(), collision["report_ids"].end(), winner) == collision["report_ids"].end())
            throw sdk::Error::invalid("channel.invalid", "the winner must be one of the collision's reports, or null for the site");
        if (host_.db().exec("UPDATE channel_collisions SET status = 'final', winner_report_id = ?, decided_by = ?, decided_by_name = ?, "
                            "decision_note = ?, decided_at = ? WHERE id = ? AND project_id = ? AND status IN ('ruled', 'appealed')",
                            {winner, actorId, actorName, note, host_.now(), id, project}) == 0)
            throw sdk::Error::conflict("channel.collision_final", "the manager has decided this collision already");
        apply(project, collision, winner, "经理裁定：" + note);
        previous = collision["winner_report_id"];
        host_.audit({{"actor_id", actorId}, {"actor_name", actorName}, {"project_id", project}, {"action", "channel.collision.decide"},
                     {"target", "channel_collision:" + std::to_string(id)},
                     {"detail", {{"from", collision["winner_report_id"]}, {"to", winner}, {"note", note}, {"appeal", collision["appeal_reason"]}}}});
        collision = get(project, id);
    });
    attribute(project, collision, winner, previous);
    tell(project, collision);
    return collision;
}

void Collisions::attribute(std::int64_t project, const nlohmann::json& collision, const nlohmann::json& winner, const nlohmann::json& holder) const {
    if (!collision["customer_id"].is_number_integer() || winner == holder) return;
    nlohmann::json change;
    for (const auto& r : collision["evidence"]["reports"])
        if (r["id"] == winner) change = {{"source", "channel"}, {"channel", r["company_name"]}};
    // The site's ruling on two channels leaves the customer no channel's; on a customer the site
    // had before, or a deal after the window, the customer's first origin stands.
    if (change.is_null()) {
        if (collision["kind"] != "channels") return;
        change = {{"source", "natural"}, {"channel", nullptr}};
    }
    change["customer_id"] = collision["customer_id"];
    change["reason"] = "撞单判定（第 " + collision["id"].dump() + " 号）";
    // After the ruling's commit: core keeps its own books. A failure leaves the ruling standing
    // and tells the managers, who correct the customer's origin by hand.
    if (const auto changed = host_.call("core.customer.set_origin", change, project); !changed.ok()) {
        host_.warning("collision " + collision["id"].dump() + ": core did not take the customer's new origin: " + changed.body.dump());
        host_.call("kernel.alert.raise",
                   {{"kind", "channel.origin_not_updated"},
                    {"title", {{"zh-CN", "撞单判定后客户来源未更新"}, {"en", "A customer's origin was not updated after a collision ruling"}}},
                    {"message", {{"zh-CN", "第 " + collision["id"].dump() + " 号撞单已判定，请在客户页面手工更正来源渠道"},
                                 {"en", "Collision " + collision["id"].dump() + " was ruled: correct the customer's origin on their page"}}},
                    {"subject", "customer:" + collision["customer_id"].dump()}},
                   project);
    }
}

void Collisions::tell(std::int64_t project, const nlohmann::json& collision) const {
    for (const auto& r : collision["evidence"]["reports"]) {
        const bool won = r["id"] == collision["winner_report_id"];
        host_.publish("push.channel.report",
                      {{"audience", {{"users", {r["agent_user_id"]}}}}, {"data", {{"event", "collision"}, {"collision", collision["id"]}, {"won", won}}}},
                      project);
        const auto sent = host_.call("kernel.notify",
                                     {{"recipient", {{"user_id", r["agent_user_id"]}}},
                                      {"template", won ? "channel.collision_won" : "channel.collision_lost"},
                                      {"params", {{"customer", r["customer_name"]}, {"number", collision["id"]}, {"reason", collision["evidence"]["reason"]}}}},
                                     project);
        if (!sent.ok()) host_.warning("could not tell agent " + r["agent_user_id"].dump() + " of collision " + collision["id"].dump());
    }
}

} // namespace anchang::channel
