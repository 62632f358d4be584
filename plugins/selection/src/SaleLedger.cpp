#include "SaleLedger.h"

#include <map>
#include <set>

namespace anchang::selection {

namespace {

constexpr std::size_t kSet = 16;

/// `one` sixteen times: IN lists and CASEs padded with their last value, so each statement has
/// one shape (prepared once) whatever the set's size.
std::string sixteen(const std::string& one, const std::string& between = ", ") {
    std::string out;
    for (std::size_t i = 0; i < kSet; ++i) out += (i ? between : "") + one;
    return out;
}

const std::string& unitsSql() {
    static const std::string sql = "UPDATE selection_units SET status = 'sold', version = CASE unit_id " + sixteen("WHEN ? THEN CAST(? AS BIGINT)", " ") +
                                   " END WHERE round_id = ? AND status = 'available' AND unit_id IN (" + sixteen("?") + ")";
    return sql;
}

const std::string& entriesSql() {
    static const std::string sql = "UPDATE selection_entries SET selected = selected + 1 WHERE round_id = ? AND buyer_id IN (" + sixteen("?") +
                                   ") AND selected < CASE buyer_id " + sixteen("WHEN ? THEN CAST(? AS INTEGER)", " ") + " END";
    return sql;
}

const std::string& householdsSql() {
    static const std::string sql =
        "UPDATE selection_households SET selected = selected + 1 WHERE round_id = ? AND household IN (" + sixteen("?") + ") AND selected < ?";
    return sql;
}

/// A set's row did not move: its savepoint rolls back and the sales go one by one.
struct SetMissed {};


} // namespace

void SaleLedger::write(const std::vector<Sale*>& sales) const {
    // Sets in arrival order: one round, at most sixteen, no unit, buyer or household twice (a
    // second sale of a household limited to two would need the first's count).
    std::vector<Sale*> set;
    std::set<std::int64_t> units, buyers;
    std::set<std::string> households;
    auto flush = [&] {
        if (set.empty()) return;
        if (set.size() == 1 || !writeSet(set))
            for (Sale* sale : set) writeOne(*sale);
        set.clear();
        units.clear();
        buyers.clear();
        households.clear();
    };
    for (Sale* sale : sales) {
        if (!set.empty() && (set.size() == kSet || sale->round != set.front()->round || units.count(sale->unit) || buyers.count(sale->buyer) ||
                             households.count(sale->household)))
            flush();
        set.push_back(sale);
        units.insert(sale->unit);
        buyers.insert(sale->buyer);
        households.insert(sale->household);
    }
    flush();
}

bool SaleLedger::writeSet(const std::vector<Sale*>& set) const {
    const auto& db = host_.db();
    const std::int64_t n = static_cast<std::int64_t>(set.size());
    const std::int64_t round = set.front()->round;
    auto padded = [&](std::size_t i) -> const Sale& { return *set[std::min(i, set.size() - 1)]; };
    try {
        db.transaction([&] {
            const auto top = db.run("UPDATE selection_rounds SET version = version + ? WHERE id = ? AND status = 'drawn' RETURNING version", {n, round}).rows;
            if (top.empty()) throw SetMissed{};
            const std::int64_t first = top[0]["version"].get<std::int64_t>() - n + 1;
            for (std::int64_t i = 0; i < n; ++i) set[i]->version = first + i;

            nlohmann::json params = nlohmann::json::array();
            for (std::size_t i = 0; i < kSet; ++i) params.insert(params.end(), {padded(i).unit, padded(i).version});
            params.push_back(round);
            for (std::size_t i = 0; i < kSet; ++i) params.push_back(padded(i).unit);
            if (db.exec(unitsSql(), params) != n) throw SetMissed{};

            params = nlohmann::json::array({round});
            for (std::size_t i = 0; i < kSet; ++i) params.push_back(padded(i).buyer);
            for (std::size_t i = 0; i < kSet; ++i) params.insert(params.end(), {padded(i).buyer, padded(i).limit});
            if (db.exec(entriesSql(), params) != n) throw SetMissed{};

            params = nlohmann::json::array({round});
            for (std::size_t i = 0; i < kSet; ++i) params.push_back(padded(i).household);
            params.push_back(set.front()->householdLimit);
            if (db.exec(householdsSql(), params) != n) throw SetMissed{};

            // Sixteen shapes of the insert at most, each prepared once; RETURNING's order is the
            // store's to choose, so ids come back by unit (no unit twice in a set).
            std::string sql = "INSERT INTO selection_selections (round_id, buyer_id, unit_id, price, request_id, selected_at, sign_by) VALUES ";
            params = nlohmann::json::array();
            for (std::size_t i = 0; i < set.size(); ++i) {
                const Sale& s = *set[i];
                sql += i ? ", (?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?)";
                params.insert(params.end(), {s.round, s.buyer, s.unit, s.price, s.requestId, s.at, s.signBy});
            }
            std::map<std::int64_t, std::int64_t> made;
            for (const auto& row : db.run(sql + " RETURNING id, unit_id", params).rows) made[row["unit_id"]] = row["id"];
            for (Sale* s : set) s->selection = made.at(s->unit);
        });
        return true;
    } catch (...) {
        // A row that did not move, or a statement that failed (a request id reused, say): each
        // sale alone finds out which of them it was.
        return false;
    }
}

void SaleLedger::writeOne(Sale& s) const {
    const auto& db = host_.db();
    try {
        db.transaction([&] { // a savepoint: a refusal rolls back alone
            const auto v = db.run("UPDATE selection_rounds SET version = version + 1 WHERE id = ? AND status = 'drawn' RETURNING version", {s.round}).rows;
            if (v.empty()) throw sdk::Error::conflict("selection.not_open", "the round is not open for selection");
            s.version = v[0]["version"];
            if (db.exec("UPDATE selection_units SET status = 'sold', version = ? WHERE round_id = ? AND unit_id = ? AND status = 'available'",
                        {s.version, s.round, s.unit}) == 0)
                throw sdk::Error::conflict("selection.sold", "this unit has just been sold");
            if (db.exec("UPDATE selection_entries SET selected = selected + 1 WHERE round_id = ? AND buyer_id = ? AND selected < ?", {s.round, s.buyer, s.limit}) == 0)
                throw sdk::Error::conflict("selection.limit_reached", "you have chosen all the units you may");
            if (db.exec("UPDATE selection_households SET selected = selected + 1 WHERE round_id = ? AND household = ? AND selected < ?",
                        {s.round, s.household, s.householdLimit}) == 0)
                throw sdk::Error::conflict("selection.household_limit", "your household has chosen all the units it may");
            s.selection = db.run("INSERT INTO selection_selections (round_id, buyer_id, unit_id, price, request_id, selected_at, sign_by) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                 {s.round, s.buyer, s.unit, s.price, s.requestId, s.at, s.signBy})
                              .rows.at(0)
                              .at("id")
                              .get<std::int64_t>();
        });
    } catch (...) {
        s.version = 0;
        s.selection = 0;
        s.failure = std::current_exception();
    }
}

} // namespace anchang::selection
