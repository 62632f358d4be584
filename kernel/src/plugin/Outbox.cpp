#include "plugin/Outbox.h"

#include "anchang/sdk/Fields.hpp"
#include "anchang/sdk/Json.hpp"
#include "app/FaultPoints.h"
#include "bus/BusClient.h"
#include "bus/BusProtocol.h"
#include "store/Store.h"

namespace anchang {

Outbox::Outbox(Store& store, BusClient& bus) : store_(store), bus_(bus) {
    announced_ = newest();
}

std::int64_t Outbox::append(const std::string& topic, std::int64_t project, nlohmann::json header, std::string_view body) {
    std::int64_t seq = 0;
    const auto store = [&] {
        seq = store_.query("INSERT INTO bus_outbox (topic, project_id, header, body, created_at) VALUES (?, ?, ?, ?, ?) RETURNING seq",
                           {topic, project, header.dump(), std::string(body), BusProtocol::nowMs()})
                  .rows[0]["seq"];
        store_.afterCommit([this, seq, topic, header, project, text = std::string(body)]() mutable {
            // Stored, not yet delivered: where a crash must lose nothing (tests/integration/OutboxTest).
            FaultPoints::hit("outbox.after_commit");
            announce(seq);
            // A copy for the monitor and out-of-process subscribers; in-process plugins get the
            // stored event from their position, and skip this copy by its "seq".
            header["seq"] = seq;
            bus_.publishRaw(topic, header, text);
        });
    };
    // Inside the writer's transaction one statement needs no savepoint of its own: it fails
    // whole, and the work after the commit goes with the writer's savepoint if that rolls back.
    if (store_.inTransaction()) store();
    else store_.transaction(store);
    return seq;
}

void Outbox::announce(std::int64_t seq) {
    {
        std::lock_guard lock(mutex_);
        announced_ = std::max(announced_, seq);
    }
    changed_.notify_all();
}

std::vector<Outbox::Event> Outbox::after(std::int64_t seq, const std::vector<std::string>& prefixes, int limit) {
    if (prefixes.empty()) return {};
    std::string sql = "SELECT seq, topic, project_id, header, body FROM bus_outbox WHERE seq > ? AND (";
    nlohmann::json params = nlohmann::json::array({seq});
    for (std::size_t i = 0; i < prefixes.size(); ++i) {
        sql += (i ? " OR " : "") + std::string("topic LIKE ? ESCAPE '\\'");
        params.push_back(sdk::Fields::likeEscaped(prefixes[i]) + "%");
    }
    sql += ") ORDER BY seq LIMIT ?";
    params.push_back(limit);
    std::vector<Event> events;
    for (auto& row : store_.query(sql, params).rows) {
        nlohmann::json header = sdk::Json::parse(row["header"].get<std::string>());
        header["seq"] = row["seq"];
        events.push_back({row["seq"], row["topic"], row["project_id"], header.dump(), row["body"]});
    }
    return events;
}

void Outbox::waitBeyond(std::int64_t seq, std::chrono::milliseconds wait, const std::atomic<bool>& quit) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, wait, [&] { return stopping_ || quit.load() || announced_ > seq; });
}

std::int64_t Outbox::newest() {
    const auto rows = store_.query("SELECT COALESCE(MAX(seq), 0) AS seq FROM bus_outbox").rows;
    return rows[0]["seq"];
}

std::int64_t Outbox::position(const std::string& subscriber) {
    const auto rows = store_.query("SELECT seq FROM bus_positions WHERE subscriber = ?", {subscriber}).rows;
    if (!rows.empty()) return rows[0]["seq"];
    // A subscriber seen for the first time starts from now: a module installed today is not
    // handed years of history. Stored at once, so an event committed while it starts is kept.
    const std::int64_t now = newest();
    advance(subscriber, now);
    return now;
}

void Outbox::advance(const std::string& subscriber, std::int64_t seq) {
    store_.query("INSERT INTO bus_positions (subscriber, seq, updated_at) VALUES (?, ?, ?) "
                 "ON CONFLICT (subscriber) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at",
                 {subscriber, seq, BusProtocol::nowMs()});
}

void Outbox::scanned(const std::string& subscriber, std::int64_t seq) {
    std::lock_guard lock(mutex_);
    auto& mark = scanned_[subscriber];
    mark = std::max(mark, seq);
}

nlohmann::json Outbox::lag() {
    const std::int64_t last = newest();
    nlohmann::json subscribers = nlohmann::json::array();
    for (const auto& row : store_.query("SELECT subscriber, seq FROM bus_positions ORDER BY subscriber").rows) {
        std::int64_t seen = row["seq"];
        {
            std::lock_guard lock(mutex_);
            if (const auto it = scanned_.find(row["subscriber"]); it != scanned_.end()) seen = std::max(seen, it->second);
        }
        subscribers.push_back({{"subscriber", row["subscriber"]}, {"position", row["seq"]}, {"lag", std::max<std::int64_t>(0, last - seen)}});
    }
    return {{"newest", last}, {"subscribers", subscribers}};
}

void Outbox::prune(std::chrono::milliseconds age) {
    store_.query("DELETE FROM bus_outbox WHERE created_at < ? AND seq <= (SELECT COALESCE(MIN(seq), 0) FROM bus_positions)",
                 {BusProtocol::nowMs() - age.count()});
}

void Outbox::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
}

} // namespace anchang
