#include "Rulings.h"

#include <anchang/sdk/Fields.hpp>
#include <anchang/sdk/Json.hpp>

namespace anchang::followup {

namespace {

constexpr const char* kColumns =
    "id, customer_id, owner_id, claimant_id, reason, evidence, status, opened_by, opened_at, winner_id, note, decided_by, decided_at";

nlohmann::json shape(nlohmann::json row) {
    row["evidence"] = sdk::Json::parse(row["evidence"].get<std::string>());
    return row;
}

} // namespace

nlohmann::json Rulings::get(std::int64_t project, std::int64_t id) const {
    auto row = host_.db().one(std::string("SELECT ") + kColumns + " FROM followup_rulings WHERE project_id = ? AND id = ?", {project, id});
    if (!row) throw sdk::Error::notFound("followup.ruling_not_found", "no such ruling: " + std::to_string(id));
    return shape(std::move(*row));
}

nlohmann::json Rulings::list(std::int64_t project, const std::optional<std::string>& status) const {
    std::string sql = std::string("SELECT ") + kColumns + " FROM followup_rulings WHERE project_id = ?";
    nlohmann::json params = {project};
    if (status) {
        sql += " AND status = ?";
        params.push_back(*status);
    }
    nlohmann::json out = nlohmann::json::array();
    for (auto& row : host_.db().query(sql + " ORDER BY id DESC LIMIT 200", params)) out.push_back(shape(std::move(row)));
    return out;
}

nlohmann::json Rulings::roster(std::int64_t project) const { return host_.request("core.roster.get", nlohmann::json::object(), project)["consultants"]; }

void Rulings::consultant(const nlohmann::json& consultants, const nlohmann::json& user) {
    for (const auto& c : consultants)
        if (c["user_id"] == user && c["status"] != "left") return;
    throw sdk::Error::invalid("followup.not_consultant", "must be a consultant on this project's roster who has not left");
}

std::string Rulings::nameOf(const nlohmann::json& consultants, const nlohmann::json& user) {
    if (!user.is_number_integer()) return "";
    for (const auto& c : consultants)
        if (c["user_id"] == user) return c["name"];
    return "#" + user.dump();
}

nlohmann::json Rulings::open(std::int64_t project, const nlohmann::json& body, std::int64_t actor) const {
    if (!body.is_object() || !body.contains("customer_id") || !body["customer_id"].is_number_integer() || !body.contains("claimant_id") ||
        !body["claimant_id"].is_number_integer())
        throw sdk::Error::invalid("followup.invalid", "customer_id and claimant_id must be ids");
    const std::string reason = sdk::Fields::text(body, "reason", 500, true, "followup.invalid");
    const std::int64_t customerId = body["customer_id"];
    const auto customer = host_.request("core.customer.get", {{"customer_id", customerId}}, project)["customer"];
    consultant(roster(project), body["claimant_id"]);
    if (customer["owner_id"] == body["claimant_id"]) throw sdk::Error::conflict("followup.already_owner", "the claimant owns the customer already");
    // The evidence as it stands now, kept: the timeline may change later, the case does not.
    const auto timeline = host_.request("core.customer.timeline", {{"customer_id", customerId}}, project);
    const nlohmann::json evidence = {{"customer", customer}, {"timeline", timeline["entries"]}, {"missing", timeline["missing"]}};
    // The partial unique index followup_rulings_one_open keeps a second open case out.
    const auto opened = host_.db().run("INSERT INTO followup_rulings (project_id, customer_id, owner_id, claimant_id, reason, evidence, status, opened_by, "
                                       "opened_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                                       {project, customerId, customer["owner_id"], body["claimant_id"], reason, evidence.dump(), actor, host_.now()});
    if (opened.rows.empty()) throw sdk::Error::conflict("followup.ruling_open", "this customer has an open case already");
    const std::int64_t id = opened.rows[0]["id"];
    return get(project, id);
}

nlohmann::json Rulings::decide(std::int64_t project, std::int64_t id, const nlohmann::json& body, std::int64_t actor, const std::string& actorName) const {
    if (!body.is_object() || !body.contains("winner_id") || !body["winner_id"].is_number_integer())
        throw sdk::Error::invalid("followup.invalid", "winner_id must be the owner's or the claimant's id");
    const std::string note = sdk::Fields::text(body, "note", 500, true, "followup.invalid");
    nlohmann::json ruling;
    host_.db().transaction([&] {
        ruling = get(project, id);
        const auto winner = body["winner_id"];
        if (winner != ruling["owner_id"] && winner != ruling["claimant_id"])
            throw sdk::Error::invalid("followup.invalid", "winner_id must be the owner's or the claimant's id");
        if (host_.db().exec("UPDATE followup_rulings SET status = 'decided', winner_id = ?, note = ?, decided_by = ?, decided_at = ? "
                            "WHERE id = ? AND project_id = ? AND status = 'open'",
                            {winner, note, actor, host_.now(), id, project}) == 0)
            throw sdk::Error::conflict("followup.ruling_decided", "this case was decided already");
        // One click: the customer moves in this commit (core audits it with the reason).
        const auto now = host_.request("core.customer.get", {{"customer_id", ruling["customer_id"]}}, project)["customer"];
        if (now["owner_id"] != winner)
            host_.request("core.customer.assign_owner", {{"customer_id", ruling["customer_id"]}, {"owner_id", winner}, {"reason", "判客：" + note}}, project);
        host_.audit({{"actor_id", actor}, {"actor_name", actorName}, {"project_id", project}, {"action", "followup.ruling.decide"},
                     {"target", "customer:" + ruling["customer_id"].dump()},
                     {"detail", {{"ruling", id}, {"owner", ruling["owner_id"]}, {"claimant", ruling["claimant_id"]}, {"winner", winner}, {"note", note}}}});
        host_.publish("followup.ruled", {{"ruling_id", id}, {"customer_id", ruling["customer_id"]}, {"owner_id", winner}}, project);
        ruling = get(project, id);
    });
    // Both consultants hear of it.
    const std::string customerName = ruling["evidence"]["customer"].value("name", std::string{});
    const std::string winnerName = nameOf(roster(project), ruling["winner_id"]);
    for (const auto& side : {ruling["owner_id"], ruling["claimant_id"]}) {
        if (!side.is_number_integer()) continue;
        const bool won = side == ruling["winner_id"];
        const auto sent = host_.call("kernel.notify", {{"recipient", {{"user_id", side}}}, {"template", won ? "followup.ruled_won" : "followup.ruled_lost"},
                                                       {"params", {{"customer", customerName}, {"winner", winnerName}, {"note", note}}}},
                                     project);
        if (!sent.ok()) host_.warning("could not tell consultant " + side.dump() + " of ruling " + std::to_string(id));
    }
    return ruling;
}

nlohmann::json Rulings::handover(std::int64_t project, const nlohmann::json& body, std::int64_t actor, const std::string& actorName) const {
    if (!body.is_object() || !body.contains("from_id") || !body["from_id"].is_number_integer() || !body.contains("to_ids") ||
        !body["to_ids"].is_array() || body["to_ids"].empty() || body["to_ids"].size() > 50)
        throw sdk::Error::invalid("followup.invalid", "from_id must be an id, to_ids a list of 1 to 50 consultants");
    const std::string reason = sdk::Fields::text(body, "reason", 200, true, "followup.invalid");
    const auto to = body["to_ids"];
    const auto consultants = roster(project);
    for (const auto& user : to) {
        if (user == body["from_id"]) throw sdk::Error::invalid("followup.invalid", "a consultant does not hand over to themselves");
        consultant(consultants, user);
    }
    std::map<std::string, std::int64_t> counts;
    std::int64_t moved = 0, after = 0;
    // In batches, each its own commit: a thousand customers do not hold the store for one.
    for (;;) {
        const auto batch = host_.request("core.customers.select", {{"owners", {body["from_id"]}}, {"after_id", after}, {"limit", 200}}, project)["customers"];
        if (batch.empty()) break;
        host_.db().transaction([&] {
            for (const auto& c : batch) {
                const auto& receiver = to[static_cast<std::size_t>(moved % static_cast<std::int64_t>(to.size()))];
                host_.request("core.customer.assign_owner", {{"customer_id", c["id"]}, {"owner_id", receiver}, {"reason", "离职交接：" + reason}}, project);
                ++counts[receiver.dump()];
                ++moved;
            }
        });
        after = batch.back()["id"];
    }
    host_.audit({{"actor_id", actor}, {"actor_name", actorName}, {"project_id", project}, {"action", "followup.handover"},
                 {"target", "user:" + body["from_id"].dump()}, {"detail", {{"to", to}, {"moved", moved}, {"reason", reason}}}});
    const std::string fromName = nameOf(consultants, body["from_id"]);
    for (const auto& [receiver, count] : counts) {
        const auto sent = host_.call("kernel.notify", {{"recipient", {{"user_id", std::stoll(receiver)}}}, {"template", "followup.handed_over"},
                                                       {"params", {{"from", fromName}, {"count", count}}}},
                                     project);
        if (!sent.ok()) host_.warning("could not tell consultant " + receiver + " of the handover");
    }
    return {{"moved", moved}, {"to", counts}};
}

} // namespace anchang::followup
