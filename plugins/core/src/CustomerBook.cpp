#include "CustomerBook.h"

#include "DayMs.h"

#include <anchang/sdk/Fields.hpp>
#include <anchang/sdk/Phone.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace anchang::core {

namespace {

constexpr const char* kColumns =
    "id, name, gender, owner_id, source, channel, first_visit_at, last_visit_at, visits, protection_until, created_at, updated_at";

std::string requirePhone(const nlohmann::json& value) {
    const std::string phone = value.is_string() ? sdk::Phone::normalize(value.get<std::string>()) : std::string{};
    if (phone.empty()) throw sdk::Error::invalid("customer.phone_invalid", "not a mobile phone number");
    return phone;
}

std::string text(const nlohmann::json& body, const char* key, std::size_t maxLength, bool required) {
    return sdk::Fields::text(body, key, maxLength, required, "customer.invalid");
}

struct Source {
    const char* code;
    const char* zh;
    const char* en;
};
constexpr Source kSources[] = {{"natural", "自然来访", "Walk-in"}, {"channel", "渠道", "Channel"}, {"referral", "老带新", "Owner referral"},
                               {"online", "线上", "Online"},        {"event", "活动", "Event"},       {"other", "其他", "Other"}};

bool knownSource(const std::string& code) {
    for (const auto& s : kSources)
        if (code == s.code) return true;
    return false;
}

} // namespace

nlohmann::json CustomerBook::sources() {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : kSources) out.push_back({{"code", s.code}, {"name", {{"zh-CN", s.zh}, {"en", s.en}}}});
    return out;
}

nlohmann::json CustomerBook::shape(std::int64_t project, nlohmann::json row) const {
    row["persons"] = host_.db().query("SELECT phone, name, relation FROM core_persons WHERE customer_id = ? ORDER BY id", {row["id"]});
    return finish(project, std::move(row));
}

nlohmann::json CustomerBook::finish(std::int64_t project, nlohmann::json row) const {
    row["protected"] = row["protection_until"].is_number() && row["protection_until"].get<std::int64_t>() > host_.now();
    row["project_id"] = project;
    return row;
}

nlohmann::json CustomerBook::find(std::int64_t project, const std::string& phone) const {
    const std::string normalized = requirePhone(phone);
    auto person = host_.db().one("SELECT customer_id FROM core_persons WHERE project_id = ? AND phone = ?", {project, normalized});
    if (!person) return nullptr;
    return get(project, (*person)["customer_id"]);
}

nlohmann::json CustomerBook::get(std::int64_t project, std::int64_t id) const {
    auto row = host_.db().one(std::string("SELECT ") + kColumns + " FROM core_customers WHERE id = ? AND project_id = ?", {id, project});
    if (!row) throw sdk::Error::notFound("customer.not_found", "no such customer: " + std::to_string(id));
    return shape(project, std::move(*row));
}

nlohmann::json CustomerBook::list(std::int64_t project, const ListFilter& filter) const {
    std::string sql = std::string("SELECT ") + kColumns + " FROM core_customers c WHERE project_id = ?";
    nlohmann::json params = nlohmann::json::array({project});
    if (filter.phone) {
        sql += " AND id IN (SELECT customer_id FROM core_persons WHERE project_id = ? AND phone = ?)";
        params.push_back(project);
        params.push_back(sdk::Phone::normalize(*filter.phone));
    }
    if (filter.q && !filter.q->empty()) {
        // What the user typed is text: '%' and '_' match themselves, not everything.
        const std::string pattern = "%" + sdk::Fields::likeEscaped(*filter.q) + "%";
        sql += " AND (name LIKE ? ESCAPE '\\' OR id IN (SELECT customer_id FROM core_persons WHERE project_id = ? AND phone LIKE ? ESCAPE '\\'))";
        params.push_back(pattern);
        params.push_back(project);
        params.push_back(pattern);
    }
    if (filter.owner) {
        sql += " AND owner_id = ?";
        params.push_back(*filter.owner);
    }
    if (filter.createdFrom && filter.createdTo && *filter.createdFrom >= *filter.createdTo)
        throw sdk::Error::invalid("customer.invalid", "from must be before to");
    if (filter.createdFrom) {
        sql += " AND created_at >= ?";
        params.push_back(*filter.createdFrom);
    }
    if (filter.createdTo) {
        sql += " AND created_at < ?";
        params.push_back(*filter.createdTo);
    }
    if (filter.source) {
        sql += " AND source = ?";
        params.push_back(*filter.source);
    }
    // The same definitions as stats(), so the rows add up to the figure that opened them.
    if (filter.stage == "visited") sql += " AND visits > 0";
    else if (filter.stage == "deal")
        sql += " AND EXISTS (SELECT 1 FROM core_deals d WHERE d.project_id = c.project_id AND d.customer_id = c.id AND d.status <> 'refunded')";
    else if (filter.stage) throw sdk::Error::invalid("customer.invalid", "stage must be visited or deal");
    sql += " ORDER BY id DESC LIMIT ? OFFSET ?";
    params.push_back(std::clamp(filter.limit, 1, 200));
    params.push_back(std::max(filter.offset, 0));
    auto rows = host_.db().query(sql, params);
    // The page's households in one query, not one per customer.
    std::string ids;
    nlohmann::json idParams = nlohmann::json::array();
    for (const auto& row : rows) {
        ids += ids.empty() ? "?" : ", ?";
        idParams.push_back(row["id"]);
    }
    std::map<std::int64_t, nlohmann::json> persons;
    if (!ids.empty())
        for (auto& p : host_.db().query("SELECT customer_id, phone, name, relation FROM core_persons WHERE customer_id IN (" + ids + ") ORDER BY id",
                                        idParams)) {
            const std::int64_t customer = p["customer_id"];
            p.erase("customer_id");
            persons[customer].push_back(std::move(p));
        }
    nlohmann::json out = nlohmann::json::array();
    for (auto& row : rows) {
        const std::int64_t id = row["id"];
        row["persons"] = persons.count(id) ? std::move(persons[id]) : nlohmann::json::array();
        out.push_back(finish(project, std::move(row)));
    }
    return out;
}

CustomerBook::Claim CustomerBook::claim(std::int64_t project, const nlohmann::json& request) const {
    const std::string phone = requirePhone(request.value("phone", nlohmann::json()));
    const std::string name = text(request, "name", 100, true);
    const std::string gender = text(request, "gender", 10, false);
    // Where the customer came from, as whichever module knew said (a verified channel report):
    // natural unless told otherwise.
    const nlohmann::json origin = request.value("origin", nlohmann::json::object());
    if (!origin.is_object()) throw sdk::Error::invalid("customer.invalid", "origin must be {source, channel}");
    const std::string source = origin.value("source", std::string("natural"));
    if (!knownSource(source)) throw sdk::Error::invalid("customer.invalid", "unknown source " + source);
    const nlohmann::json channel = origin.value("channel", nlohmann::json(nullptr));
    if (!channel.is_null() && !channel.is_string()) throw sdk::Error::invalid("customer.invalid", "origin.channel must be text");
    const nlohmann::json owner = request.value("owner_id", nlohmann::json(nullptr));
    if (!owner.is_null() && !owner.is_number_integer()) throw sdk::Error::invalid("customer.invalid", "owner_id must be a user id");
    const std::int64_t at = request.value("visit_at", host_.now());
    const std::int64_t protection = at + profile_.protectionDays(project) * kDayMs;

    Claim claim;
    auto existing = [&] {
        if (auto person = host_.db().one("SELECT customer_id FROM core_persons WHERE project_id = ? AND phone = ?", {project, phone})) {
            claim.customer = get(project, (*person)["customer_id"]);
            return true;
        }
        return false;
    };
    host_.db().transaction([&] {
        if (existing()) return;
        // The unique phone key decides, not the look-up: with several writers (PostgreSQL) two
        // claims can both find nothing. The loser's insert fails on the key, rolls back to its
        // savepoint alone, and it answers the customer the winner created.
        try {
            host_.db().transaction([&] {
                const auto id = host_.db()
                                    .run("INSERT INTO core_customers (project_id, name, gender, owner_id, source, channel, first_visit_at, "
                                         "last_visit_at, visits, protection_until, created_at, updated_at) "
                                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id",
                                         {project, name, gender.empty() ? nlohmann::json(nullptr) : nlohmann::json(gender), owner, source,
                                          channel, at, at, owner.is_null() ? nlohmann::json(nullptr) : nlohmann::json(protection), host_.now(),
                                          host_.now()})
                                    .rows.at(0)
                                    .at("id")
                                    .get<std::int64_t>();
                host_.db().exec("INSERT INTO core_persons (project_id, customer_id, phone, name, relation, created_at) VALUES (?, ?, ?, ?, 'self', ?)",
                                {project, id, phone, name, host_.now()});
                claim.customer = get(project, id);
                claim.created = true;
                // With the customer's commit; the first visit is a visit like the others to
                // whoever counts them (follow-up's dashboards).
                host_.publish("customer.created", {{"customer_id", id}, {"owner_id", owner}, {"source", source}}, project);
                host_.publish("customer.visited", {{"customer_id", id}, {"owner_id", owner}, {"at", at}}, project);
                forgetOwned(project);
            });
        } catch (const sdk::Error& e) {
            if (e.code() != "store.conflict" || !existing()) throw;
        }
    });
    return claim;
}

nlohmann::json CustomerBook::visited(std::int64_t project, std::int64_t customer, std::int64_t at) const {
    nlohmann::json after;
    host_.db().transaction([&] {
        if (host_.db().exec("UPDATE core_customers SET last_visit_at = ?, visits = visits + 1, updated_at = ? WHERE id = ? AND project_id = ?",
                            {at, host_.now(), customer, project}) == 0)
            throw sdk::Error::notFound("customer.not_found", "no such customer: " + std::to_string(customer));
        after = get(project, customer);
        // In the caller's commit (the desk's registration): follow-up rules count contacts on it.
        host_.publish("customer.visited", {{"customer_id", customer}, {"owner_id", after["owner_id"]}, {"at", at}}, project);
    });
    return after;
}

std::pair<nlohmann::json, bool> CustomerBook::visitVoided(std::int64_t project, const nlohmann::json& request, const Actor& actor) const {
    auto optionalTime = [&](const char* key) {
        const auto value = request.value(key, nlohmann::json(nullptr));
        if (!value.is_null() && !value.is_number_integer()) throw sdk::Error::invalid("customer.invalid", std::string(key) + " must be a time or null");
        return value;
    };
    if (!request.contains("customer_id") || !request["customer_id"].is_number_integer())
        throw sdk::Error::invalid("customer.invalid", "customer_id must be an id");
    const std::int64_t customer = request["customer_id"];
    const std::string reason = text(request, "reason", 500, true);
    const auto lastVisit = optionalTime("last_visit_at");
    const auto firstVisit = optionalTime("first_visit_at");
    const auto voidedAt = optionalTime("voided_visit_at");
    const auto release = request.value("release", nlohmann::json(nullptr));
    if (!release.is_null() && (!release.is_object() || !release.contains("owner_id") || !release["owner_id"].is_number_integer()))
        throw sdk::Error::invalid("customer.invalid", "release must be {owner_id, owner_before, protection_before}");

    bool released = false;
    nlohmann::json before, after;
    host_.db().transaction([&] {
        before = get(project, customer);
        host_.db().exec("UPDATE core_customers SET visits = CASE WHEN visits > 0 THEN visits - 1 ELSE 0 END, updated_at = ? WHERE id = ?",
                        {host_.now(), customer});
        // The first and last visit times move only where they were this visit's: a first visit
        // a manager set, or a visit recorded elsewhere (an import), stays.
        if (!voidedAt.is_null() && before["first_visit_at"] == voidedAt)
            host_.db().exec("UPDATE core_customers SET first_visit_at = ? WHERE id = ?", {firstVisit, customer});
        if (!voidedAt.is_null() && before["last_visit_at"] == voidedAt)
            host_.db().exec("UPDATE core_customers SET last_visit_at = ? WHERE id = ?", {lastVisit, customer});
        if (release.is_object() && before["owner_id"] == release["owner_id"]) {
            const auto ownerBefore = release.value("owner_before", nlohmann::json(nullptr));
            const auto protectionBefore = release.value("protection_before", nlohmann::json(nullptr));
            host_.db().exec("UPDATE core_customers SET owner_id = ?, protection_until = ? WHERE id = ?",
                            {ownerBefore.is_number_integer() ? ownerBefore : nlohmann::json(nullptr),
                             protectionBefore.is_number_integer() ? protectionBefore : nlohmann::json(nullptr), customer});
            released = true;
            host_.audit({{"actor_id", actor.id}, {"actor_name", actor.name}, {"project_id", project}, {"action", "customer.owner.change"},
                         {"target", "customer:" + std::to_string(customer)},
                         {"detail", {{"from", before["owner_id"]}, {"to", ownerBefore}, {"reason", reason}}}});
        }
        after = get(project, customer);
    });
    if (released)
        host_.publish("customer.owner_changed",
                      {{"customer_id", customer}, {"from", before["owner_id"]}, {"to", after["owner_id"]}, {"reason", reason}}, project);
    return {after, released};
}

nlohmann::json CustomerBook::assignOwner(std::int64_t project, std::int64_t customer, std::int64_t owner, const std::string& reason,
                                         const Actor& actor) const {
    if (reason.empty()) throw sdk::Error::invalid("customer.reason_required", "a change of owner needs a reason");
    nlohmann::json before, after;
    host_.db().transaction([&] {
        before = get(project, customer);
        const std::int64_t until = host_.now() + profile_.protectionDays(project) * kDayMs;
        host_.db().exec("UPDATE core_customers SET owner_id = ?, protection_until = ?, updated_at = ? WHERE id = ?",
                        {owner, until, host_.now(), customer});
        after = get(project, customer);
        host_.audit({{"actor_id", actor.id}, {"actor_name", actor.name}, {"project_id", project}, {"action", "customer.owner.change"},
                     {"target", "customer:" + std::to_string(customer)},
                     {"detail", {{"from", before["owner_id"]}, {"to", owner}, {"reason", reason}}}});
        // With the change's commit: a crash between the two would lose the event.
        host_.publish("customer.owner_changed", {{"customer_id", customer}, {"from", before["owner_id"]}, {"to", owner}, {"reason", reason}}, project);
        forgetOwned(project);
    });
    return after;
}

nlohmann::json CustomerBook::protect(std::int64_t project, std::int64_t customer, std::int64_t owner, std::int64_t until, const std::string& reason,
                                     const Actor& actor) const {
    if (reason.empty()) throw sdk::Error::invalid("customer.reason_required", "a change of protection needs a reason");
    nlohmann::json before, after;
    host_.db().transaction([&] {
        before = get(project, customer);
        if (host_.db().exec("UPDATE core_customers SET protection_until = ?, updated_at = ? WHERE id = ? AND project_id = ? AND owner_id = ?",
                            {until, host_.now(), customer, project, owner}) == 0)
            throw sdk::Error::conflict("customer.owner_changed", "the customer is not this consultant's any more");
        after = get(project, customer);
        host_.audit({{"actor_id", actor.id}, {"actor_name", actor.name}, {"project_id", project}, {"action", "customer.protection.change"},
                     {"target", "customer:" + std::to_string(customer)},
                     {"detail", {{"from", before["protection_until"]}, {"to", until}, {"owner", owner}, {"reason", reason}}}});
    });
    return after;
}

nlohmann::json CustomerBook::release(std::int64_t project, std::int64_t customer, const nlohmann::json& owner, const std::string& reason,
                                     const Actor& actor) const {
    if (reason.empty()) throw sdk::Error::invalid("customer.reason_required", "a release needs a reason");
    nlohmann::json before, after;
    host_.db().transaction([&] {
        before = get(project, customer);
        if (before["owner_id"].is_null()) throw sdk::Error::conflict("customer.not_owned", "nobody owns this customer");
        if (owner.is_number_integer() && before["owner_id"] != owner)
            throw sdk::Error::conflict("customer.owner_changed", "the customer is not this consultant's any more");
        host_.db().exec("UPDATE core_customers SET owner_id = NULL, protection_until = NULL, updated_at = ? WHERE id = ? AND project_id = ?",
                        {host_.now(), customer, project});
        after = get(project, customer);
        host_.audit({{"actor_id", actor.id}, {"actor_name", actor.name}, {"project_id", project}, {"action", "customer.owner.release"},
                     {"target", "customer:" + std::to_string(customer)},
                     {"detail", {{"from", before["owner_id"]}, {"protection_until", before["protection_until"]}, {"reason", reason}}}});
        host_.publish("customer.owner_changed", {{"customer_id", customer}, {"from", before["owner_id"]}, {"to", nullptr}, {"reason", reason}}, project);
        forgetOwned(project);
    });
    return after;
}

nlohmann::json CustomerBook::stats(std::int64_t project, std::int64_t from, std::int64_t to) const {
    if (from >= to) throw sdk::Error::invalid("customer.invalid", "from must be before to");
    auto rows = host_.db().query("SELECT c.source, COUNT(*) AS customers, SUM(CASE WHEN c.visits > 0 THEN 1 ELSE 0 END) AS visited, "
                                 "SUM(CASE WHEN EXISTS (SELECT 1 FROM core_deals d WHERE d.project_id = c.project_id AND d.customer_id = c.id "
                                 "AND d.status <> 'refunded') THEN 1 ELSE 0 END) AS deals FROM core_customers c "
                                 "WHERE c.project_id = ? AND c.created_at >= ? AND c.created_at < ? GROUP BY c.source ORDER BY customers DESC",
                                 {project, from, to});
    const auto names = sources();
    for (auto& row : rows)
        for (const auto& s : names)
            if (s["code"] == row["source"]) row["name"] = s["name"];
    return rows;
}

nlohmann::json CustomerBook::select(std::int64_t project, const nlohmann::json& request) const {
    if (!request.is_object()) throw sdk::Error::invalid("customer.invalid", "the request must be an object");
    std::string sql = "SELECT c.id, c.name, c.owner_id, c.protection_until, c.first_visit_at, c.last_visit_at, c.visits, c.source "
                      "FROM core_customers c WHERE c.project_id = ? AND c.owner_id IS NOT NULL AND c.id > ?";
    nlohmann::json params = {project, request.value("after_id", std::int64_t{0})};
    if (request.contains("lapsed_before")) {
        if (!request["lapsed_before"].is_number_integer()) throw sdk::Error::invalid("customer.invalid", "lapsed_before must be a time");
        sql += " AND c.protection_until IS NOT NULL AND c.protection_until <= ?";
        params.push_back(request["lapsed_before"]);
    }
    if (request.contains("owners")) {
        if (!request["owners"].is_array() || request["owners"].empty() || request["owners"].size() > 500)
            throw sdk::Error::invalid("customer.invalid", "owners must list 1 to 500 user ids");
        std::string marks;
        for (const auto& id : request["owners"]) {
            if (!id.is_number_integer()) throw sdk::Error::invalid("customer.invalid", "owners must list user ids");
            marks += marks.empty() ? "?" : ", ?";
            params.push_back(id);
        }
        sql += " AND c.owner_id IN (" + marks + ")";
    }
    if (request.contains("first_visit_before")) {
        if (!request["first_visit_before"].is_number_integer()) throw sdk::Error::invalid("customer.invalid", "first_visit_before must be a time");
        sql += " AND c.first_visit_at IS NOT NULL AND c.first_visit_at <= ?";
        params.push_back(request["first_visit_before"]);
    }
    // A customer with a live deal is a buyer: never recycled for want of one.
    if (request.value("without_deal", false))
        sql += " AND NOT EXISTS (SELECT 1 FROM core_deals d WHERE d.project_id = c.project_id AND d.customer_id = c.id AND d.status <> 'refunded')";
    sql += " ORDER BY c.id LIMIT ?";
    params.push_back(std::clamp(request.value("limit", 500), 1, 1000));
    return host_.db().query(sql, params);
}

nlohmann::json CustomerBook::changeOrigin(std::int64_t project, std::int64_t customer, const nlohmann::json& body,
                                          const Actor& actor) const {
    const std::string reason = text(body, "reason", 500, true);
    nlohmann::json before, after;
    host_.db().transaction([&] {
        before = get(project, customer);
        if (body.contains("source")) {
            if (!body["source"].is_string() || !knownSource(body["source"].get<std::string>()))
                throw sdk::Error::invalid("customer.invalid", "source must be one of natural, channel, referral, online, event, other");
            host_.db().exec("UPDATE core_customers SET source = ? WHERE id = ?", {body["source"], customer});
        }
        if (body.contains("channel")) {
            if (!body["channel"].is_string() && !body["channel"].is_null()) throw sdk::Error::invalid("customer.invalid", "channel must be text");
            host_.db().exec("UPDATE core_customers SET channel = ? WHERE id = ?", {body["channel"], customer});
        }
        if (body.contains("first_visit_at")) {
            if (!body["first_visit_at"].is_number_integer() || body["first_visit_at"].get<std::int64_t>() > host_.now())
                throw sdk::Error::invalid("customer.invalid", "first_visit_at must be a past time in milliseconds");
            host_.db().exec("UPDATE core_customers SET first_visit_at = ? WHERE id = ?", {body["first_visit_at"], customer});
        }
        host_.db().exec("UPDATE core_customers SET updated_at = ? WHERE id = ?", {host_.now(), customer});
        after = get(project, customer);
        host_.audit({{"actor_id", actor.id}, {"actor_name", actor.name}, {"project_id", project}, {"action", "customer.origin.change"},
                     {"target", "customer:" + std::to_string(customer)},
                     {"detail", {{"before", {{"source", before["source"]}, {"channel", before["channel"]}, {"first_visit_at", before["first_visit_at"]}}},
                                 {"after", {{"source", after["source"]}, {"channel", after["channel"]}, {"first_visit_at", after["first_visit_at"]}}},
                                 {"reason", reason}}}});
    });
    host_.publish("customer.origin_changed", {{"customer_id", customer}, {"reason", reason}}, project);
    return after;
}

nlohmann::json CustomerBook::addPerson(std::int64_t project, std::int64_t customer, const nlohmann::json& body) const {
    static const std::set<std::string> relations = {"spouse", "parent", "child", "partner"};
    const std::string phone = requirePhone(body.value("phone", nlohmann::json()));
    const std::string name = text(body, "name", 100, true);
    const std::string relation = text(body, "relation", 20, true);
    if (!relations.count(relation))
        throw sdk::Error::invalid("customer.invalid", "relation must be spouse, parent, child or partner (直系亲属、夫妻、情侣)");
    get(project, customer);
    try {
        host_.db().exec("INSERT INTO core_persons (project_id, customer_id, phone, name, relation, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                        {project, customer, phone, name, relation, host_.now()});
    } catch (const sdk::Error& e) {
        if (e.status() != 409) throw;
        // The phone already belongs to a customer: first registration wins, so linking cannot
        // take it over; a ruling (reassignment) is the way to settle it.
        throw sdk::Error::conflict("customer.phone_taken", "this phone already belongs to another customer of the project");
    }
    return get(project, customer);
}

std::int64_t CustomerBook::visitCount(std::int64_t project, const nlohmann::json& request) const {
    if (request.contains("customer_id")) {
        if (!request["customer_id"].is_number_integer()) throw sdk::Error::invalid("customer.invalid", "customer_id must be an id");
        auto row = host_.db().one("SELECT visits FROM core_customers WHERE id = ? AND project_id = ?", {request["customer_id"], project});
        return row ? (*row)["visits"].get<std::int64_t>() : 0;
    }
    const nlohmann::json customer = find(project, request.value("phone", std::string{}));
    return customer.is_null() ? 0 : customer["visits"].get<std::int64_t>();
}

void CustomerBook::forgetOwned(std::int64_t project) const {
    // The next count reads the rows again. (A count taken by another thread before this change
    // commits may still be cached for its 30 s: a hint for assignment, not a ledger.)
    std::lock_guard lock(ownedMutex_);
    owned_.erase(project);
}

nlohmann::json CustomerBook::owned(std::int64_t project) const {
    {
        std::lock_guard lock(ownedMutex_);
        auto it = owned_.find(project);
        if (it != owned_.end() && host_.now() - it->second.at < 30000) return it->second.owned;
    }
    nlohmann::json out = nlohmann::json::object();
    for (const auto& row : host_.db().query("SELECT owner_id, COUNT(*) AS n FROM core_customers WHERE project_id = ? AND owner_id IS NOT NULL "
                                            "AND protection_until > ? GROUP BY owner_id",
                                            {project, host_.now()}))
        out[row["owner_id"].dump()] = row["n"];
    std::lock_guard lock(ownedMutex_);
    owned_[project] = {host_.now(), out};
    return out;
}

} // namespace anchang::core
