#include "Assignment.h"

#include <algorithm>
#include <map>

namespace anchang::registration {

std::unique_lock<std::mutex> Assignment::turnLock(std::int64_t project) const {
    std::mutex* lock = nullptr;
    {
        std::lock_guard guard(locksMutex_);
        auto& slot = turnLocks_[project];
        if (!slot) slot = std::make_unique<std::mutex>();
        lock = slot.get();
    }
    return std::unique_lock<std::mutex>(*lock);
}

std::map<std::int64_t, nlohmann::json> Assignment::receiving(std::int64_t project) const {
    return register_.receiving(project, day_.now() - options_.receptionMinutesMax * 60000LL);
}

std::vector<Assignment::Consultant> Assignment::roster(std::int64_t project) const {
    const auto roster = host_.request("core.roster.get", nlohmann::json::object(), project);
    std::map<std::int64_t, std::pair<int, std::int64_t>> turns;
    for (const auto& row : host_.db().query("SELECT receiver_id, COUNT(*) AS n, MAX(registered_at) AS last FROM registration_visits "
                                            "WHERE project_id = ? AND day = ? AND counts_turn = 1 AND status <> 'void' "
                                            "GROUP BY receiver_id",
                                            {project, day_.today(project)}))
        turns[row["receiver_id"].get<std::int64_t>()] = {static_cast<int>(row["n"].get<std::int64_t>()), row["last"].get<std::int64_t>()};

    const auto busy = options_.busyWait ? receiving(project) : std::map<std::int64_t, nlohmann::json>{};
    std::vector<Consultant> all;
    for (const auto& c : roster["consultants"]) {
        Consultant consultant;
        consultant.id = c["user_id"];
        consultant.name = c["name"];
        consultant.team = c["team"];
        consultant.status = c["status"];
        consultant.weight = std::max(1, c["weight"].get<int>());
        consultant.busy = busy.count(consultant.id) > 0;
        if (auto it = turns.find(consultant.id); it != turns.end()) {
            consultant.turnsToday = it->second.first;
            consultant.lastTurnAt = it->second.second;
        }
        all.push_back(std::move(consultant));
    }
    return all; // roster order: team, then position
}

std::vector<Assignment::Consultant> Assignment::ordered(std::vector<Consultant> all) const {
    std::vector<Consultant> onDuty;
    for (auto& c : all)
        if (c.status == "on_duty") onDuty.push_back(std::move(c));
    // A stable sort keeps roster order as the last tie-breaker.
    auto fairer = [](const Consultant& a, const Consultant& b) {
        if (a.busy != b.busy) return !a.busy;
        const double sa = static_cast<double>(a.turnsToday) / a.weight;
        const double sb = static_cast<double>(b.turnsToday) / b.weight;
        if (sa != sb) return sa < sb;
        return a.lastTurnAt < b.lastTurnAt;
    };
    std::stable_sort(onDuty.begin(), onDuty.end(), fairer);
    if (!options_.byTeam) return onDuty;

    // By team: the team with the fewest turns for its weight takes the visitor.
    std::map<std::string, std::pair<double, int>> load; // team -> turns, weights
    for (const auto& c : onDuty) {
        auto& entry = load[c.team.dump()];
        entry.first += c.turnsToday;
        entry.second += c.weight;
    }
    std::stable_sort(onDuty.begin(), onDuty.end(), [&](const Consultant& a, const Consultant& b) {
        if (a.busy != b.busy) return !a.busy;
        const auto& la = load[a.team.dump()];
        const auto& lb = load[b.team.dump()];
        return la.first / la.second < lb.first / lb.second;
    });
    return onDuty;
}

std::optional<Assignment::Consultant> Assignment::colleagueFor(const std::vector<Consultant>& onDuty, const std::vector<Consultant>& all,
                                                               std::int64_t owner) const {
    nlohmann::json team;
    for (const auto& c : all)
        if (c.id == owner) team = c.team;
    // A free colleague of the owner's team, a free one of any, then the busy ones likewise.
    for (const bool free : {true, false}) {
        for (const auto& c : onDuty)
            if (c.id != owner && (!free || !c.busy) && !team.is_null() && c.team == team) return c;
        for (const auto& c : onDuty)
            if (c.id != owner && (!free || !c.busy)) return c;
    }
    return std::nullopt;
}

Assignment::Decision Assignment::decide(std::int64_t project, const nlohmann::json& customer, const Visitor& visitor) const {
    const std::vector<Consultant> all = roster(project);
    const std::vector<Consultant> onDuty = ordered(all);
    auto named = [&](std::int64_t id) -> const Consultant* {
        for (const auto& c : all)
            if (c.id == id) return &c;
        return nullptr;
    };
    auto onDutyNow = [&](std::int64_t id) { return std::any_of(onDuty.begin(), onDuty.end(), [&](const Consultant& c) { return c.id == id; }); };
    Decision d;

    // Received by `who` for `owner`: the owner if on duty, else a colleague on their behalf.
    auto receiveFor = [&](const Consultant& owner, const std::string& method) {
        d.method = method;
        d.owner = owner.id;
        d.ownerName = owner.name;
        if (onDutyNow(owner.id)) {
            d.receiver = owner.id;
            d.receiverName = owner.name;
            return;
        }
        if (auto colleague = colleagueFor(onDuty, all, owner.id)) {
            d.method = method == "returning" ? "covering" : method;
            d.receiver = colleague->id;
            d.receiverName = colleague->name;
            d.onBehalfOf = owner.id;
            d.reason = owner.name + "不在岗，由" + colleague->name + "代为接待";
        } else {
            d.method = "queued";
            d.reason = "无人在岗，客户归属" + owner.name;
        }
    };

    const bool protectedCustomer = customer.is_object() && customer.value("protected", false) && customer["owner_id"].is_number_integer();
    if (protectedCustomer) {
        const Consultant* owner = named(customer["owner_id"]);
        if (owner && owner->status != "left") {
            receiveFor(*owner, "returning");
            return d;
        }
        d.reason = "原置业顾问已离职，重新分配";
    }

    d.newOwner = true;
    if (visitor.designated) {
        const Consultant* chosen = named(*visitor.designated);
        if (!chosen || chosen->status == "left")
            throw sdk::Error::invalid("visit.designated_unknown", "the consultant the customer named is not on this project's roster");
        receiveFor(*chosen, "designated");
        d.reason = visitor.designationReason.empty() ? "客户指定" : "客户指定：" + visitor.designationReason;
        return d;
    }
    if (onDuty.empty()) {
        d.method = "queued";
        d.newOwner = false; // the owner is decided when someone takes the visitor
        d.reason = "无人在岗，排队等待";
        return d;
    }

    // What other modules know about each candidate (open tasks, say) comes through the
    // registration.assign.context extension point, and customers held from core; both are only
    // for the project's script, so asked here, not on the owner, covering or queue paths.
    nlohmann::json ids = nlohmann::json::array();
    for (const auto& c : onDuty) ids.push_back(c.id);
    const auto owned = host_.call("core.customers.owned", nlohmann::json::object(), project, std::chrono::milliseconds(1000));
    const nlohmann::json ownedCounts = owned.ok() ? owned.body.value("owned", nlohmann::json::object()) : nlohmann::json::object();
    nlohmann::json facts = nlohmann::json::object();
    for (const auto& answer : host_.extend("registration.assign.context", project, {{"consultant_ids", ids}}))
        if (answer.ok())
            for (const auto& [id, more] : answer.output["facts"].items())
                if (more.is_object()) facts[id].update(more);
    nlohmann::json candidates = nlohmann::json::array();
    for (const auto& c : onDuty) {
        const std::string key = std::to_string(c.id);
        // Contributed facts first, so none can overwrite what the rotation itself says.
        nlohmann::json candidate = facts.value(key, nlohmann::json::object());
        candidate.update({{"id", c.id}, {"name", c.name}, {"team", c.team}, {"on_duty", true}, {"weight", c.weight},
                          {"turns_today", c.turnsToday}, {"busy", c.busy}, {"customers", ownedCounts.value(key, 0)}});
        candidates.push_back(std::move(candidate));
    }
    const nlohmann::json input = {{"customer", {{"name", visitor.name}, {"phone", visitor.maskedPhone}, {"returning", customer.is_object()}}},
                                  {"questionnaire", visitor.questionnaire}, {"candidates", candidates}};
    const auto hook = host_.hook("registration.assign", project, input);
    if (hook.vetoed) throw sdk::Error(422, "registration.vetoed", hook.message);
    d.countsTurn = true;
    if (!hook.fallback) {
        const std::int64_t chosen = hook.output["consultant_id"];
        if (onDutyNow(chosen)) {
            const Consultant* c = named(chosen);
            d.method = "hook";
            d.receiver = d.owner = chosen;
            d.receiverName = d.ownerName = c->name;
            d.reason = hook.output.value("reason", std::string("项目规则"));
            return d;
        }
        d.hookError = "the project's rule chose consultant " + std::to_string(chosen) + ", who is not on duty";
    } else {
        d.hookError = hook.error;
    }
    d.method = "rotation";
    d.receiver = d.owner = onDuty.front().id;
    d.receiverName = d.ownerName = onDuty.front().name;
    if (d.reason.empty()) d.reason = onDuty.front().busy ? "轮序（顾问均在接待，等候" + onDuty.front().name + "）" : "轮序";
    return d;
}

} // namespace anchang::registration
