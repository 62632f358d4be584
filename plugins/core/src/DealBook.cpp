#include "DealBook.h"

#include "DayMs.h"
#include "InList.h"

#include <map>
#include <set>
#include <vector>

namespace anchang::core {

namespace {
constexpr const char* kColumns = "d.id, d.customer_id, d.unit_id, d.consultant_id, d.stage, d.status, d.amount, d.subscribed_at, "
                                 "d.signed_at, d.refunded_at, d.refund_reason, d.created_by, d.reference, d.sign_by";

/// The condition limiting deals to a scope's customers, with its parameters appended.
std::string scoped(const DealBook::Scope& scope, nlohmann::json& params) {
    if (!scope) return "";
    params.push_back(*scope);
    return " AND d.customer_id IN (SELECT id FROM core_customers WHERE project_id = d.project_id AND owner_id = ?)";
}
} // namespace

nlohmann::json DealBook::list(std::int64_t project, std::optional<std::int64_t> customer, Scope scope) const {
    std::string sql = std::string("SELECT ") + kColumns + " FROM core_deals d WHERE d.project_id = ?";
    nlohmann::json params = nlohmann::json::array({project});
    if (customer) {
        sql += " AND d.customer_id = ?";
        params.push_back(*customer);
    }
    sql += scoped(scope, params);
    return host_.db().query(sql + " ORDER BY d.id DESC LIMIT 500", params);
}

nlohmann::json DealBook::get(std::int64_t project, std::int64_t id, Scope scope) const {
    nlohmann::json params = nlohmann::json::array({id, project});
    const std::string sql = std::string("SELECT ") + kColumns + " FROM core_deals d WHERE d.id = ? AND d.project_id = ?" + scoped(scope, params);
    auto deal = host_.db().one(sql, params);
    if (!deal) throw sdk::Error::notFound("deal.not_found", "no such deal: " + std::to_string(id));
    (*deal)["payments"] = host_.db().query("SELECT id, amount, kind, paid_at FROM core_payments WHERE deal_id = ? ORDER BY id", {id});
    (*deal)["unit"] = inventory_.unit(project, (*deal)["unit_id"]);
    return *deal;
}

nlohmann::json DealBook::subscribe(std::int64_t project, const nlohmann::json& body, std::int64_t userId, Scope scope) const {
    for (const char* key : {"customer_id", "unit_id", "amount"})
        if (!body.contains(key) || !body[key].is_number_integer() || body[key].get<std::int64_t>() <= 0)
            throw sdk::Error::invalid("deal.invalid", std::string(key) + " must be a positive integer");
    std::int64_t id = 0;
    host_.db().transaction([&] {
        auto customer = host_.db().one("SELECT owner_id FROM core_customers WHERE id = ? AND project_id = ?", {body["customer_id"], project});
        if (!customer || (scope && (*customer)["owner_id"] != *scope)) throw sdk::Error::notFound("customer.not_found", "no such customer");
        inventory_.unit(project, body["unit_id"]);
        // A unit reserved for an opening (selected) is the opening's to sell, not the desk's.
        if (!inventory_.move(project, body["unit_id"], {"available", "held"}, "subscribed"))
            throw sdk::Error::conflict("unit.not_available", "this unit is reserved for an opening, subscribed or signed");
        id = host_.db().run("INSERT INTO core_deals (project_id, customer_id, unit_id, consultant_id, stage, status, amount, subscribed_at, "
                            "created_by) VALUES (?, ?, ?, ?, 'subscription', 'active', ?, ?, ?) RETURNING id",
                            {project, body["customer_id"], body["unit_id"], (*customer)["owner_id"], body["amount"], host_.now(), userId})
                 .rows.at(0).at("id").get<std::int64_t>();
    });
    host_.publish("deal.subscribed", {{"deal_id", id}, {"customer_id", body["customer_id"]}, {"unit_id", body["unit_id"]}}, project);
    host_.publish("unit.status_changed", {{"unit_id", body["unit_id"]}, {"status", "subscribed"}}, project);
    return get(project, id);
}

nlohmann::json DealBook::subscribeFor(std::int64_t project, const nlohmann::json& body) const {
    if (!body.is_object() || !body.contains("subscriptions") || !body["subscriptions"].is_array() || body["subscriptions"].empty() ||
        body["subscriptions"].size() > 1000)
        throw sdk::Error::invalid("deal.invalid", "subscriptions must list 1 to 1,000 subscriptions");
    for (const auto& one : body["subscriptions"]) {
        for (const char* key : {"customer_id", "unit_id", "amount"})
            if (!one.is_object() || !one.contains(key) || !one[key].is_number_integer() || one[key].get<std::int64_t>() <= 0)
                throw sdk::Error::invalid("deal.invalid", std::string(key) + " must be a positive integer");
        if (!one.contains("reference") || !one["reference"].is_string() || one["reference"].get<std::string>().empty() ||
            one["reference"].get<std::string>().size() > 100)
            throw sdk::Error::invalid("deal.invalid", "reference must be 1 to 100 characters");
        if (one.contains("sign_by") && !one["sign_by"].is_null() && !one["sign_by"].is_number_integer())
            throw sdk::Error::invalid("deal.invalid", "sign_by must be a time");
    }
    // Set by set, not one by one: on opening day a batch of sixty confirmations waits for this
    // inside the selection's transaction, and four statements per subscription were most of the
    // wait (docs/perf.md, the opening storm).
    const auto& list = body["subscriptions"];
    nlohmann::json deals = nlohmann::json::array();
    host_.db().transaction([&] {
        const std::int64_t now = host_.now();
        std::vector<std::string> references;
        for (const auto& one : list) references.push_back(one["reference"]);
        // A reference asked for before is its deal again, unless it names another unit.
        std::map<std::string, nlohmann::json> known;
        for (const auto& row : lookup("SELECT id, unit_id, reference FROM core_deals WHERE project_id = ? AND reference IN", project, references))
            known[row["reference"].get<std::string>()] = row;
        std::map<std::string, std::int64_t> freshUnit; // reference -> unit, for the new ones
        std::vector<const nlohmann::json*> fresh;
        for (const auto& one : list) {
            const std::string reference = one["reference"];
            const auto k = known.find(reference);
            const auto f = freshUnit.find(reference);
            const std::int64_t unit = one["unit_id"];
            if ((k != known.end() && k->second["unit_id"] != unit) || (f != freshUnit.end() && f->second != unit))
                throw sdk::Error::conflict("deal.reference_taken", "this reference names another unit's deal");
            if (k == known.end() && f == freshUnit.end()) {
                freshUnit[reference] = unit;
                fresh.push_back(&one);
            }
        }
        std::map<std::string, std::int64_t> made;
        if (!fresh.empty()) {
            std::vector<std::int64_t> customerIds, unitIds;
            for (const auto* one : fresh) {
                customerIds.push_back((*one)["customer_id"]);
                unitIds.push_back((*one)["unit_id"]);
            }
            std::map<std::int64_t, nlohmann::json> ownerOf;
            for (const auto& row : lookup("SELECT id, owner_id FROM core_customers WHERE project_id = ? AND id IN", project, customerIds))
                ownerOf[row["id"].get<std::int64_t>()] = row["owner_id"];
            for (const auto* one : fresh)
                if (!ownerOf.count((*one)["customer_id"].get<std::int64_t>())) throw sdk::Error::notFound("customer.not_found", "no such customer: " + (*one)["customer_id"].dump());
            // The opening reserved the unit (selected); a unit never reserved may still be sold
            // this way, one the desk sold may not, and no unit twice.
            const auto moved = inventory_.moveAll(project, unitIds, {"selected", "available", "held"}, "subscribed");
            std::set<std::int64_t> taken;
            for (const std::int64_t unit : unitIds)
                if (!moved.count(unit) || !taken.insert(unit).second)
                    throw sdk::Error::conflict("unit.not_available", "unit " + std::to_string(unit) + " is already subscribed or signed");
            made = insertDeals(project, fresh, ownerOf, now);
        }
        std::set<std::string> answered; // a reference twice in the list: created once
        for (const auto& one : list) {
            const std::string reference = one["reference"];
            if (const auto k = known.find(reference); k != known.end()) {
                deals.push_back({{"reference", reference}, {"deal_id", k->second["id"]}, {"created", false}});
                continue;
            }
            const bool first = answered.insert(reference).second;
            deals.push_back({{"reference", reference}, {"deal_id", made.at(reference)}, {"created", first}});
            if (!first) continue;
            host_.publish("deal.subscribed", {{"deal_id", made.at(reference)}, {"customer_id", one["customer_id"]}, {"unit_id", one["unit_id"]}}, project);
            host_.publish("unit.status_changed", {{"unit_id", one["unit_id"]}, {"status", "subscribed"}}, project);
        }
    });
    return {{"deals", deals}};
}

template <typename Value>
nlohmann::json DealBook::lookup(const std::string& sqlUpToIn, std::int64_t project, const std::vector<Value>& values) const {
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t at = 0; at < values.size(); at += kInList) {
        nlohmann::json params = nlohmann::json::array({project});
        appendInList(params, values, at);
        for (auto& row : host_.db().query(sqlUpToIn + " " + inList(), params)) rows.push_back(std::move(row));
    }
    return rows;
}

std::map<std::string, std::int64_t> DealBook::insertDeals(std::int64_t project, const std::vector<const nlohmann::json*>& fresh,
                                                          const std::map<std::int64_t, nlohmann::json>& ownerOf, std::int64_t now) const {
    // Rows of sixteen at most: sixteen shapes of the statement, each prepared once.
    constexpr std::size_t kChunk = 16;
    std::map<std::string, std::int64_t> made;
    for (std::size_t at = 0; at < fresh.size(); at += kChunk) {
        const std::size_t n = std::min(kChunk, fresh.size() - at);
        std::string sql = "INSERT INTO core_deals (project_id, customer_id, unit_id, consultant_id, stage, status, amount, subscribed_at, created_by, "
                          "reference, sign_by) VALUES ";
        nlohmann::json params = nlohmann::json::array();
        for (std::size_t i = 0; i < n; ++i) {
            const auto& one = *fresh[at + i];
            sql += i ? ", (?, ?, ?, ?, 'subscription', 'active', ?, ?, 0, ?, ?)" : "(?, ?, ?, ?, 'subscription', 'active', ?, ?, 0, ?, ?)";
            for (const auto& value : {nlohmann::json(project), one["customer_id"], one["unit_id"], ownerOf.at(one["customer_id"].get<std::int64_t>()), one["amount"],
                                      nlohmann::json(now), one["reference"], one.value("sign_by", nlohmann::json(nullptr))})
                params.push_back(value);
        }
        for (const auto& row : host_.db().run(sql + " RETURNING id, reference", params).rows) made[row["reference"].get<std::string>()] = row["id"];
    }
    return made;
}

nlohmann::json DealBook::sign(std::int64_t project, std::int64_t id, Scope scope) const {
    host_.db().transaction([&] {
        const auto deal = get(project, id, scope);
        if (deal["status"] != "active" || deal["stage"] != "subscription")
            throw sdk::Error::conflict("deal.not_signable", "only an active subscription can be signed");
        if (!inventory_.move(project, deal["unit_id"], {"subscribed"}, "signed"))
            throw sdk::Error::conflict("unit.not_subscribed", "the unit is no longer subscribed");
        host_.db().exec("UPDATE core_deals SET stage = 'contract', signed_at = ? WHERE id = ?", {host_.now(), id});
    });
    const auto deal = get(project, id);
    host_.publish("deal.signed", {{"deal_id", id}}, project);
    host_.publish("unit.status_changed", {{"unit_id", deal["unit_id"]}, {"status", "signed"}}, project);
    return deal;
}

nlohmann::json DealBook::pay(std::int64_t project, std::int64_t id, const nlohmann::json& body, std::int64_t userId, Scope scope) const {
    static const std::set<std::string> kinds = {"deposit", "down_payment", "loan", "instalment", "full"};
    if (!body.contains("amount") || !body["amount"].is_number_integer() || body["amount"] <= 0)
        throw sdk::Error::invalid("deal.invalid", "amount must be a positive amount in yuan");
    if (!body.contains("kind") || !body["kind"].is_string() || !kinds.count(body["kind"]))
        throw sdk::Error::invalid("deal.invalid", "kind must be deposit, down_payment, loan, instalment or full");
    if (get(project, id, scope)["status"] != "active") throw sdk::Error::conflict("deal.refunded", "the deal was refunded");
    host_.db().exec("INSERT INTO core_payments (deal_id, amount, kind, paid_at, recorded_by) VALUES (?, ?, ?, ?, ?)",
                    {id, body["amount"], body["kind"], host_.now(), userId});
    host_.publish("deal.paid", {{"deal_id", id}, {"amount", body["amount"]}, {"kind", body["kind"]}}, project);
    return get(project, id);
}

nlohmann::json DealBook::refund(std::int64_t project, std::int64_t id, const nlohmann::json& body, std::int64_t userId,
                                const std::string& userName) const {
    if (!body.contains("reason") || !body["reason"].is_string() || body["reason"].get<std::string>().empty())
        throw sdk::Error::invalid("deal.reason_required", "a refund needs a reason");
    host_.db().transaction([&] {
        const auto deal = get(project, id);
        if (deal["status"] != "active") throw sdk::Error::conflict("deal.refunded", "the deal was already refunded");
        host_.db().exec("UPDATE core_deals SET status = 'refunded', refunded_at = ?, refund_reason = ? WHERE id = ?", {host_.now(), body["reason"], id});
        inventory_.move(project, deal["unit_id"], {"subscribed", "signed"}, "available");
        host_.audit({{"actor_id", userId}, {"actor_name", userName}, {"project_id", project}, {"action", "deal.refund"},
                     {"target", "deal:" + std::to_string(id)}, {"detail", {{"reason", body["reason"]}, {"unit_id", deal["unit_id"]}}}});
    });
    const auto deal = get(project, id);
    host_.publish("deal.refunded", {{"deal_id", id}}, project);
    host_.publish("unit.status_changed", {{"unit_id", deal["unit_id"]}, {"status", "available"}}, project);
    return deal;
}

} // namespace anchang::core
