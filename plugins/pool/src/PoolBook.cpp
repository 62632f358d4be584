#include "PoolBook.h"

#include <anchang/sdk/Fields.hpp>

#include <map>

namespace anchang::pool {

namespace {

nlohmann::json text(const std::string& zh, const std::string& en) { return {{"zh-CN", zh}, {"en", en}}; }

const std::map<std::string, std::pair<std::string, std::string>>& entryReasons() {
    static const std::map<std::string, std::pair<std::string, std::string>> words = {
        {"defeat", {"战败", "Defeat"}},           {"lapsed", {"保护期届满", "Protection lapsed"}},
        {"departed", {"顾问离职", "Consultant left"}}, {"no_deal", {"长期未认购", "No subscription"}},
        {"invalid", {"无效客户", "Invalid"}}};
    return words;
}

std::string choice(const nlohmann::json& body, const char* key, std::initializer_list<const char*> allowed) {
    const std::string value = body.is_object() && body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : "";
    for (const char* a : allowed)
        if (value == a) return value;
    std::string list;
    for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    throw sdk::Error::invalid("pool.invalid", std::string(key) + " must be one of " + list);
}

} // namespace

nlohmann::json PoolBook::reasonOf(const std::string& id) const {
    for (const auto& r : settings_.reasons)
        if (r["id"] == id) return r;
    throw sdk::Error::invalid("pool.invalid", "reason_id must be one of the project's defeat reasons");
}

void PoolBook::tell(std::int64_t project, std::int64_t user, const std::string& templateName, const nlohmann::json& params) const {
    const auto sent = host_.call("kernel.notify", {{"recipient", {{"user_id", user}}}, {"template", templateName}, {"params", params}}, project);
    if (!sent.ok()) host_.warning("could not tell user " + std::to_string(user) + " (" + templateName + ")");
}

bool PoolBook::enter(std::int64_t project, const nlohmann::json& expected, const std::string& reason, const nlohmann::json& reasonId,
                     const std::string& why) const {
    // Read again inside the commit: a customer who changed hands or bought since stays out.
    const auto customer = host_.request("core.customer.get", {{"customer_id", expected["id"]}}, project)["customer"];
    if (customer["owner_id"].is_null() || customer["owner_id"] != expected["owner_id"]) return false;
    host_.request("core.customer.release", {{"customer_id", customer["id"]}, {"owner_id", customer["owner_id"]}, {"reason", why}}, project);
    const auto id = host_.db()
                        .run("INSERT INTO pool_entries (project_id, customer_id, customer_name, reason, reason_id, previous_owner, entered_at) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             {project, customer["id"], customer["name"], reason, reasonId, customer["owner_id"], host_.now()})
                        .rows.at(0)
                        .at("id");
    host_.publish("pool.entered", {{"entry_id", id}, {"customer_id", customer["id"]}, {"reason", reason}, {"previous_owner", customer["owner_id"]}}, project);
    return true;
}

nlohmann::json PoolBook::applyDefeat(std::int64_t project, const Actor& actor, const nlohmann::json& body) const {
    if (!body.is_object() || !body.contains("customer_id") || !body["customer_id"].is_number_integer())
        throw sdk::Error::invalid("pool.invalid", "customer_id must be an id");
    const auto reason = reasonOf(sdk::Fields::text(body, "reason_id", 40, true, "pool.invalid"));
    const std::string note = sdk::Fields::text(body, "note", 500, false, "pool.invalid");
    const auto customer = host_.call("core.customer.get", {{"customer_id", body["customer_id"]}}, project);
    if (!customer.ok() || customer.body["customer"]["owner_id"] != actor.id)
        throw sdk::Error::notFound("customer.not_found", "no such customer among yours");
    try {
        const auto id = host_.db()
                            .run("INSERT INTO pool_defeats (project_id, customer_id, customer_name, consultant_id, reason_id, note, status, created_at) "
                                 "VALUES (?, ?, ?, ?, ?, ?, 'pending', ?) RETURNING id",
                                 {project, body["customer_id"], customer.body["customer"]["name"], actor.id, reason["id"], note, host_.now()})
                            .rows.at(0)
                            .at("id");
        return *host_.db().one("SELECT * FROM pool_defeats WHERE id = ?", {id});
    } catch (const sdk::Error& e) {
        if (e.status() != 409) throw;
        throw sdk::Error::conflict("pool.defeat_pending", "this customer's defeat request waits for the supervisor already");
    }
}

nlohmann::json PoolBook::decideDefeat(std::int64_t project, std::int64_t id, const Actor& actor, const nlohmann::json& body) const {
    const std::string decision = choice(body, "decision", {"approve", "reject", "extend"});
    const std::string opinion = sdk::Fields::text(body, "opinion", 500, true, "pool.opinion_required");
    nlohmann::json defeat, customer;
    host_.db().transaction([&] {
        auto row = host_.db().one("SELECT * FROM pool_defeats WHERE project_id = ? AND id = ?", {project, id});
        if (!row) throw sdk::Error::notFound("pool.defeat_not_found", "no such defeat request");
        if ((*row)["status"] != "pending") throw sdk::Error::conflict("pool.defeat_decided", "this request was decided already");
        customer = host_.request("core.customer.get", {{"customer_id", (*row)["customer_id"]}}, project)["customer"];
        const auto reason = reasonOf((*row)["reason_id"]);
        if (decision == "approve") {
            const bool invalid = reason.value("invalid", false);
            nlohmann::json expected = customer;
            expected["owner_id"] = (*row)["consultant_id"];
            if (!enter(project, expected, invalid ? "invalid" : "defeat", reason["id"], "战败：" + reason["zh-CN"].get<std::string>()))
                throw sdk::Error::conflict("customer.owner_changed", "the customer is not the applicant's any more");
        } else if (decision == "extend") {
            host_.request("core.customer.protect", {{"customer_id", customer["id"]}, {"owner_id", (*row)["consultant_id"]},
                                                    {"until", host_.now() + settings_.extendDays * ClaimRules::kDayMs}, {"reason", "战败申请未批，延长保护期：" + opinion}},
                          project);
        }
        const std::string status = decision == "approve" ? "approved" : decision == "reject" ? "rejected" : "extended";
        host_.db().exec("UPDATE pool_defeats SET status = ?, supervisor_id = ?, opinion = ?, decided_at = ? WHERE id = ?", {status, actor.id, opinion, host_.now(), id});
        host_.audit({{"actor_id", actor.id}, {"actor_name", actor.name}, {"project_id", project}, {"action", "pool.defeat.decide"},
                     {"target", "customer:" + customer["id"].dump()}, {"detail", {{"defeat", id}, {"decision", decision}, {"opinion", opinion}}}});
        defeat = *host_.db().one("SELECT * FROM pool_defeats WHERE id = ?", {id});
    });
    static const std::map<std::string, std::string> words = {{"approve", "已批准，客户进入公海"}, {"reject", "未批准"}, {"extend", "未批准，保护期已延长"}};
    tell(project, defeat["consultant_id"], "pool.defeat_decided", {{"customer", customer["name"]}, {"decision", words.at(decision)}, {"opinion", opinion}});
    return defeat;
}

nlohmann::json PoolBook::defeats(std::int64_t project, const Actor& actor, const std::optional<std::string>& status) const {
    std::string sql = "SELECT * FROM pool_defeats WHERE project_id = ?";
    nlohmann::json params = {project};
    if (!actor.supervisor) {
        sql += " AND consultant_id = ?";
        params.push_back(actor.id);
    }
    if (status) {
        sql += " AND status = ?";
        params.push_back(*status);
    }
    return host_.db().query(sql + " ORDER BY id DESC LIMIT 200", params);
}

int PoolBook::counted(std::int64_t project, std::int64_t consultant, const char* column, const std::string& period) const {
    // `column` is counted_day or counted_month, named in this file only.
    return host_.db().query(std::string("SELECT COUNT(*) AS n FROM pool_claims WHERE project_id = ? AND consultant_id = ? AND ") + column +
                                " = ? AND status IN ('pending', 'approved')",
                            {project, consultant, period})[0]["n"];
}

nlohmann::json PoolBook::entries(std::int64_t project, const Actor& actor, const std::optional<std::string>& reason, int limit) const {
    std::string sql = "SELECT id, customer_id, customer_name, reason, reason_id, previous_owner, entered_at FROM pool_entries "
                      "WHERE project_id = ? AND left_at IS NULL";
    nlohmann::json params = {project};
    if (reason) {
        sql += " AND reason = ?";
        params.push_back(*reason);
    }
    params.push_back(std::clamp(limit, 1, 500));
    const std::int64_t now = host_.now();
    const int today = counted(project, actor.id, "counted_day", rules_.day(now)), month = counted(project, actor.id, "counted_month", rules_.month(now));
    nlohmann::json out = nlohmann::json::array();
    for (auto row : host_.db().query(sql + " ORDER BY entered_at DESC, id DESC LIMIT ?", params)) {
        const ClaimRules::Entry entry{row["reason"], row["previous_owner"].is_number() ? std::optional<std::int64_t>(row["previous_owner"]) : std::nullopt,
                                      row["entered_at"]};
        const std::string refusal = rules_.refusal(entry, actor.id, now, today, month);
        row["claimable"] = refusal.empty();
        row["refusal"] = refusal.empty() ? nlohmann::json(nullptr) : nlohmann::json(refusal);
        if (refusal == "cooldown") row["cooldown_ends"] = rules_.cooldownEnds(entry);
        const auto& words = entryReasons().at(row["reason"].get<std::string>());
        row["reason_title"] = text(words.first, words.second);
        out.push_back(std::move(row));
    }
    return {{"entries", out}, {"claimed_today", today}, {"claimed_this_month", month}, {"daily_cap", settings_.claims.dailyCap},
            {"monthly_cap", settings_.claims.monthlyCap}};
}

nlohmann::json PoolBook::claim(std::int64_t project, std::int64_t entryId, const Actor& actor) const {
    nlohmann::json claim;
    host_.db().transaction([&] {
        const auto entry = host_.db().one("SELECT * FROM pool_entries WHERE project_id = ? AND id = ?", {project, entryId});
        if (!entry) throw sdk::Error::notFound("pool.entry_not_found", "no such customer in the pool");
        if (!(*entry)["left_at"].is_null()) throw sdk::Error::conflict("pool.taken", "this customer was claimed already");
        const std::int64_t now = host_.now();
        const std::string day = rules_.day(now), month = rules_.month(now);
        const ClaimRules::Entry rule{(*entry)["reason"],
                                     (*entry)["previous_owner"].is_number() ? std::optional<std::int64_t>((*entry)["previous_owner"]) : std::nullopt,
                                     (*entry)["entered_at"]};
        const std::string refusal =
            rules_.refusal(rule, actor.id, now, counted(project, actor.id, "counted_day", day), counted(project, actor.id, "counted_month", month));
        if (!refusal.empty())
            throw sdk::Error(422, "pool.claim_refused", refusal == "cooldown" ? "the previous owner may claim this customer again only after the cooldown"
                                                        : refusal == "invalid" ? "an invalid customer is not claimed"
                                                                               : "you reached your claims' " + std::string(refusal == "daily_cap" ? "daily" : "monthly") + " cap");
        try {
            const auto id = host_.db()
                                .run("INSERT INTO pool_claims (project_id, entry_id, customer_id, consultant_id, status, counted_day, counted_month, created_at) "
                                     "VALUES (?, ?, ?, ?, 'pending', ?, ?, ?) RETURNING id",
                                     {project, entryId, (*entry)["customer_id"], actor.id, day, month, now})
                                .rows.at(0)
                                .at("id");
            claim = *host_.db().one("SELECT * FROM pool_claims WHERE id = ?", {id});
        } catch (const sdk::Error& e) {
            if (e.status() != 409) throw;
            throw sdk::Error::conflict("pool.claimed_already", "you applied for this customer already");
        }
    });
    // Without the supervisor's approval, the claim is decided at once by the same rule.
    if (!settings_.claimNeedsApproval) return decideClaim(project, claim["id"], {0, "公海规则", true}, {{"decision", "approve"}});
    return claim;
}

nlohmann::json PoolBook::decideClaim(std::int64_t project, std::int64_t id, const Actor& actor, const nlohmann::json& body) const {
    const std::string decision = choice(body, "decision", {"approve", "reject"});
    const std::string opinion = sdk::Fields::text(body, "opinion", 500, decision == "reject", "pool.opinion_required");
    nlohmann::json claim, others = nlohmann::json::array();
    std::string customerName;
    host_.db().transaction([&] {
        auto row = host_.db().one("SELECT * FROM pool_claims WHERE project_id = ? AND id = ?", {project, id});
        if (!row) throw sdk::Error::notFound("pool.claim_not_found", "no such claim");
        if ((*row)["status"] != "pending") {
            // Refused because another claim took the customer meanwhile: say that, not "decided".
            if ((*row)["status"] == "rejected" && (*row)["supervisor_id"].is_null())
                throw sdk::Error::conflict("pool.taken", "another claim took this customer first");
            throw sdk::Error::conflict("pool.claim_decided", "this claim was decided already");
        }
        customerName = (*host_.db().one("SELECT customer_name FROM pool_entries WHERE id = ?", {(*row)["entry_id"]}))["customer_name"];
        if (decision == "approve") {
            // The entry closes once: of two claims approved at once, the second finds it closed.
            if (host_.db().exec("UPDATE pool_entries SET left_at = ?, claimed_by = ? WHERE id = ? AND project_id = ? AND left_at IS NULL",
                                {host_.now(), (*row)["consultant_id"], (*row)["entry_id"], project}) == 0) {
                host_.db().exec("UPDATE pool_claims SET status = 'rejected', opinion = '已被他人捞取', decided_at = ? WHERE id = ?", {host_.now(), id});
                return;
            }
            host_.request("core.customer.assign_owner", {{"customer_id", (*row)["customer_id"]}, {"owner_id", (*row)["consultant_id"]}, {"reason", "公海捞取"}},
                          project);
            others = host_.db().query("SELECT id, consultant_id FROM pool_claims WHERE entry_id = ? AND status = 'pending' AND id <> ?", {(*row)["entry_id"], id});
            host_.db().exec("UPDATE pool_claims SET status = 'rejected', opinion = '已被他人捞取', decided_at = ? WHERE entry_id = ? AND status = 'pending' AND id <> ?",
                            {host_.now(), (*row)["entry_id"], id});
            host_.publish("pool.claimed", {{"entry_id", (*row)["entry_id"]}, {"customer_id", (*row)["customer_id"]}, {"owner_id", (*row)["consultant_id"]}}, project);
        }
        host_.db().exec("UPDATE pool_claims SET status = ?, supervisor_id = ?, opinion = ?, decided_at = ? WHERE id = ?",
                        {decision == "approve" ? "approved" : "rejected", actor.id ? nlohmann::json(actor.id) : nlohmann::json(nullptr), opinion, host_.now(), id});
        host_.audit({{"actor_id", actor.id}, {"actor_name", actor.name}, {"project_id", project}, {"action", "pool.claim.decide"},
                     {"target", "customer:" + (*row)["customer_id"].dump()}, {"detail", {{"claim", id}, {"decision", decision}, {"opinion", opinion}}}});
    });
    claim = *host_.db().one("SELECT * FROM pool_claims WHERE id = ?", {id});
    const bool won = claim["status"] == "approved";
    tell(project, claim["consultant_id"], "pool.claim_decided",
         {{"customer", customerName}, {"decision", won ? "已通过，请在 24 小时内回访" : "未通过"}, {"opinion", claim["opinion"].is_string() ? claim["opinion"] : ""}});
    for (const auto& other : others) tell(project, other["consultant_id"], "pool.claim_decided", {{"customer", customerName}, {"decision", "未通过"}, {"opinion", "已被他人捞取"}});
    if (!won && decision == "approve") throw sdk::Error::conflict("pool.taken", "another claim took this customer first");
    return claim;
}

nlohmann::json PoolBook::claims(std::int64_t project, const Actor& actor, const std::optional<std::string>& status) const {
    std::string sql = "SELECT c.*, e.customer_name, e.reason FROM pool_claims c JOIN pool_entries e ON e.id = c.entry_id WHERE c.project_id = ?";
    nlohmann::json params = {project};
    if (!actor.supervisor) {
        sql += " AND c.consultant_id = ?";
        params.push_back(actor.id);
    }
    if (status) {
        sql += " AND c.status = ?";
        params.push_back(*status);
    }
    return host_.db().query(sql + " ORDER BY c.id DESC LIMIT 200", params);
}

nlohmann::json PoolBook::markInvalid(std::int64_t project, const Actor& actor, const nlohmann::json& body) const {
    if (!body.is_object() || !body.contains("customer_id") || !body["customer_id"].is_number_integer())
        throw sdk::Error::invalid("pool.invalid", "customer_id must be an id");
    const std::string note = sdk::Fields::text(body, "note", 500, true, "pool.invalid");
    bool entered = false;
    host_.db().transaction([&] {
        const auto customer = host_.request("core.customer.get", {{"customer_id", body["customer_id"]}}, project)["customer"];
        entered = enter(project, customer, "invalid", nullptr, "无效客户：" + note);
        if (entered)
            host_.audit({{"actor_id", actor.id}, {"actor_name", actor.name}, {"project_id", project}, {"action", "pool.invalid.mark"},
                         {"target", "customer:" + customer["id"].dump()}, {"detail", {{"note", note}}}});
    });
    if (!entered) throw sdk::Error::conflict("customer.not_owned", "only an owned customer is marked invalid into the pool");
    return {{"entered", true}};
}

std::int64_t PoolBook::recycle(std::int64_t project) const {
    const std::int64_t now = host_.now();
    std::int64_t entered = 0;
    auto pass = [&](nlohmann::json condition, const std::string& reason, const std::string& why) {
        condition["without_deal"] = true; // a buyer never enters the pool
        condition["limit"] = 200;
        std::int64_t after = 0;
        for (;;) {
            condition["after_id"] = after;
            const auto batch = host_.request("core.customers.select", condition, project)["customers"];
            if (batch.empty()) return;
            // One commit per batch: a night of thousands of customers is not thousands of fsyncs.
            host_.db().transaction([&] {
                for (const auto& c : batch)
                    if (enter(project, c, reason, nullptr, why)) ++entered;
            });
            after = batch.back()["id"];
        }
    };
    pass({{"lapsed_before", now}}, "lapsed", "回收：保护期届满");
    nlohmann::json departed = nlohmann::json::array();
    const auto roster = host_.request("core.roster.get", nlohmann::json::object(), project);
    for (const auto& c : roster["consultants"])
        if (c["status"] == "left") departed.push_back(c["user_id"]);
    if (!departed.empty()) pass({{"owners", departed}}, "departed", "回收：顾问离职");
    pass({{"first_visit_before", now - settings_.noDealDays * ClaimRules::kDayMs}}, "no_deal",
         "回收：首访 " + std::to_string(settings_.noDealDays) + " 天未认购");
    return entered;
}

void PoolBook::subscribed(std::int64_t project, const nlohmann::json& event) const {
    host_.db().exec("UPDATE pool_entries SET deal_at = ? WHERE project_id = ? AND customer_id = ? AND claimed_by IS NOT NULL AND deal_at IS NULL",
                    {host_.now(), project, event.value("customer_id", std::int64_t{0})});
}

nlohmann::json PoolBook::analysis(std::int64_t project, std::int64_t from, std::int64_t to) const {
    if (from >= to) throw sdk::Error::invalid("pool.invalid", "from must be before to");
    nlohmann::json top = nlohmann::json::array();
    for (auto row : host_.db().query("SELECT reason_id, COUNT(*) AS n FROM pool_defeats WHERE project_id = ? AND status = 'approved' AND decided_at >= ? "
                                     "AND decided_at < ? GROUP BY reason_id ORDER BY n DESC",
                                     {project, from, to})) {
        for (const auto& r : settings_.reasons)
            if (r["id"] == row["reason_id"]) row["title"] = text(r["zh-CN"], r.value("en", std::string{}));
        top.push_back(std::move(row));
    }
    const auto byReason = host_.db().query("SELECT reason, COUNT(*) AS entered, SUM(CASE WHEN claimed_by IS NOT NULL THEN 1 ELSE 0 END) AS claimed, "
                                           "SUM(CASE WHEN deal_at IS NOT NULL THEN 1 ELSE 0 END) AS deals FROM pool_entries "
                                           "WHERE project_id = ? AND entered_at >= ? AND entered_at < ? GROUP BY reason",
                                           {project, from, to});
    std::int64_t entered = 0, claimed = 0, deals = 0;
    for (const auto& r : byReason) {
        entered += r["entered"].get<std::int64_t>();
        claimed += r["claimed"].get<std::int64_t>();
        deals += r["deals"].get<std::int64_t>();
    }
    // Deals from the pool per claimer: the basis of the 公海淘金 reward.
    const auto rewards = host_.db().query("SELECT claimed_by AS consultant_id, COUNT(*) AS deals FROM pool_entries WHERE project_id = ? AND deal_at >= ? "
                                          "AND deal_at < ? GROUP BY claimed_by ORDER BY deals DESC",
                                          {project, from, to});
    return {{"from", from}, {"to", to}, {"defeat_reasons", top}, {"entries", byReason}, {"entered", entered}, {"claimed", claimed},
            {"activation_rate", entered > 0 ? static_cast<double>(claimed) / static_cast<double>(entered) : 0.0}, {"deals", deals}, {"rewards", rewards},
            {"in_pool", host_.db().query("SELECT COUNT(*) AS n FROM pool_entries WHERE project_id = ? AND left_at IS NULL", {project})[0]["n"]}};
}

nlohmann::json PoolBook::timeline(std::int64_t project, const nlohmann::json& input) const {
    const std::int64_t customer = input.value("customer_id", std::int64_t{0});
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& d : host_.db().query("SELECT id, reason_id, status, created_at, decided_at, opinion FROM pool_defeats WHERE project_id = ? AND customer_id = ?",
                                          {project, customer}))
        entries.push_back({{"at", d["created_at"]}, {"kind", "defeat"}, {"title", text("申请战败", "Defeat requested")},
                           {"detail", {{"defeat_id", d["id"]}, {"reason_id", d["reason_id"]}, {"status", d["status"]}, {"opinion", d["opinion"]}}}});
    for (const auto& e : host_.db().query("SELECT id, reason, entered_at, left_at, claimed_by FROM pool_entries WHERE project_id = ? AND customer_id = ?",
                                          {project, customer})) {
        const auto& words = entryReasons().at(e["reason"].get<std::string>());
        entries.push_back({{"at", e["entered_at"]}, {"kind", "pool.entered"}, {"title", text("进入公海（" + words.first + "）", "Entered the pool (" + words.second + ")")},
                           {"detail", {{"entry_id", e["id"]}}}});
        if (e["claimed_by"].is_number())
            entries.push_back({{"at", e["left_at"]}, {"kind", "pool.claimed"}, {"title", text("从公海捞取", "Claimed from the pool")},
                               {"detail", {{"entry_id", e["id"]}, {"owner_id", e["claimed_by"]}}}});
    }
    return {{"entries", entries}};
}

void PoolBook::loadDemo(const nlohmann::json& seed) const {
    std::int64_t project = 0;
    const auto projects = host_.request("kernel.projects.list", nlohmann::json::object());
    for (const auto& p : projects["projects"])
        if (p["code"] == seed.value("project", "")) project = p["id"];
    if (!project || host_.db().one("SELECT id FROM pool_entries WHERE project_id = ? UNION SELECT id FROM pool_defeats WHERE project_id = ? LIMIT 1",
                                   {project, project}))
        return;
    for (const auto& d : seed.value("defeats", nlohmann::json::array())) {
        const auto customer = host_.request("core.customer.find", {{"phone", d["phone"]}}, project)["customer"];
        if (!customer.is_object() || !customer["owner_id"].is_number_integer()) continue;
        applyDefeat(project, {customer["owner_id"], "demo", false}, {{"customer_id", customer["id"]}, {"reason_id", d["reason_id"]}, {"note", d.value("note", "")}});
    }
    if (seed.value("recycle", false)) recycle(project);
}

} // namespace anchang::pool
