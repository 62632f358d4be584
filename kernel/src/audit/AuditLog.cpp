#include "audit/AuditLog.h"

#include "anchang/sdk/Error.hpp"
#include "anchang/sdk/Fields.hpp"
#include "anchang/sdk/Json.hpp"
#include "store/Store.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>
#include <Poco/Timestamp.h>

namespace anchang {

namespace {
const std::string kGenesis(64, '0');
}

AuditLog::AuditLog(Store& store, AuditSeal seal) : store_(store), seal_(std::move(seal)) {}

std::string AuditLog::digest(std::int64_t seq, std::int64_t at, std::int64_t actorId, const std::string& actorName,
                             std::int64_t projectId, const std::string& action, const std::string& target,
                             const std::string& detail, const std::string& previous) {
    // Every field is length-prefixed so no two different entries serialize alike.
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    auto field = [&](const std::string& value) {
        const std::string length = std::to_string(value.size()) + ":";
        engine.update(length);
        engine.update(value);
    };
    field(std::to_string(seq));
    field(std::to_string(at));
    field(std::to_string(actorId));
    field(actorName);
    field(std::to_string(projectId));
    field(action);
    field(target);
    field(detail);
    field(previous);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

std::int64_t AuditLog::append(const Entry& entry) {
    if (entry.action.empty()) throw sdk::Error::invalid("audit.invalid", "an audit entry needs an action");
    std::int64_t seq = 0;
    store_.transaction([&] {
        auto head = store_.query("SELECT seq, hash FROM audit_head WHERE id = 1").rows;
        const std::int64_t previousSeq = head.empty() ? 0 : head[0]["seq"].get<std::int64_t>();
        const std::string previous = head.empty() ? kGenesis : head[0]["hash"].get<std::string>();
        seq = previousSeq + 1;
        const std::int64_t at = Poco::Timestamp().epochMicroseconds() / 1000;
        const std::string detail = entry.detail.dump();
        const std::string hash = digest(seq, at, entry.actorId, entry.actorName, entry.projectId, entry.action,
                                        entry.target, detail, previous);
        store_.query("INSERT INTO audit_log (seq, at, actor_id, actor_name, project_id, action, target, detail, prev_hash, hash, seal) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     {seq, at, entry.actorId, entry.actorName, entry.projectId, entry.action, entry.target, detail,
                      previous, hash, seal_.of("entry", seq, hash)});
        store_.query("INSERT INTO audit_head (id, seq, hash, seal) VALUES (1, ?, ?, ?) "
                     "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, seal = excluded.seal",
                     {seq, hash, seal_.of("head", seq, hash)});
    });
    return seq;
}

nlohmann::json AuditLog::list(std::optional<std::int64_t> project, const std::string& actionPrefix,
                              std::optional<std::int64_t> before, int limit) {
    std::string sql = "SELECT seq, at, actor_id, actor_name, project_id, action, target, detail, hash FROM audit_log WHERE 1 = 1";
    nlohmann::json params = nlohmann::json::array();
    if (project) {
        sql += " AND project_id = ?";
        params.push_back(*project);
    }
    if (!actionPrefix.empty()) {
        sql += " AND action LIKE ? ESCAPE '\\'";
        params.push_back(sdk::Fields::likeEscaped(actionPrefix) + "%");
    }
    if (before) {
        sql += " AND seq < ?";
        params.push_back(*before);
    }
    sql += " ORDER BY seq DESC LIMIT ?";
    params.push_back(std::clamp(limit, 1, 500));
    nlohmann::json rows = store_.query(sql, params).rows;
    for (auto& row : rows) row["detail"] = sdk::Json::parse(row["detail"].get<std::string>());
    return rows;
}

AuditLog::Head AuditLog::head() {
    const auto rows = store_.query("SELECT seq, hash FROM audit_head WHERE id = 1").rows;
    if (rows.empty()) return {0, kGenesis};
    return {rows[0]["seq"].get<std::int64_t>(), rows[0]["hash"].get<std::string>()};
}

std::optional<std::string> AuditLog::hashAt(std::int64_t seq) {
    const auto rows = store_.query("SELECT hash FROM audit_log WHERE seq = ?", {seq}).rows;
    if (rows.empty()) return std::nullopt;
    return rows[0]["hash"].get<std::string>();
}

nlohmann::json AuditLog::verify(const std::vector<Pin>& pins) {
    std::int64_t expectedSeq = 1;
    std::string previous = kGenesis;
    std::int64_t count = 0;
    std::optional<std::int64_t> sealedFrom;
    auto broken = [&](std::int64_t seq, const std::string& problem) {
        return nlohmann::json{{"ok", false}, {"entries", count}, {"first_bad", seq}, {"problem", problem}};
    };
    auto pinAt = [&](std::int64_t seq) -> const Pin* {
        for (const auto& pin : pins)
            if (pin.seq == seq) return &pin;
        return nullptr;
    };
    // Pages keep memory flat however long the log grows.
    for (std::int64_t after = 0;;) {
        auto rows = store_.query("SELECT seq, at, actor_id, actor_name, project_id, action, target, detail, prev_hash, hash, seal "
                                 "FROM audit_log WHERE seq > ? ORDER BY seq LIMIT 1000",
                                 {after})
                        .rows;
        if (rows.empty()) break;
        for (const auto& row : rows) {
            const std::int64_t seq = row["seq"];
            const std::string at = std::to_string(seq);
            if (seq != expectedSeq) return broken(expectedSeq, "entry " + std::to_string(expectedSeq) + " is missing");
            if (row["prev_hash"] != previous) return broken(seq, "entry " + at + " does not follow the entry before it");
            const std::string recomputed = digest(seq, row["at"], row["actor_id"], row["actor_name"], row["project_id"],
                                                  row["action"], row["target"], row["detail"], previous);
            if (recomputed != row["hash"]) return broken(seq, "entry " + at + " was changed after it was written");
            // Entries from before sealing began have none; after the first sealed one, every one must.
            if (row["seal"].is_null()) {
                if (sealedFrom) return broken(seq, "entry " + at + " has no seal: it was written without the audit key");
            } else {
                if (!sealedFrom) sealedFrom = seq;
                if (!seal_.matches("entry", seq, row["hash"].get<std::string>(), row["seal"].get<std::string>()))
                    return broken(seq, "entry " + at + " was changed or forged: its seal does not match the audit key");
            }
            if (const Pin* pin = pinAt(seq); pin && pin->hash != row["hash"])
                return broken(seq, "entry " + at + " is not the one " + pin->source + " recorded: the log was rewritten");
            previous = row["hash"];
            ++expectedSeq;
            ++count;
            after = seq;
        }
    }
    auto head = store_.query("SELECT seq, hash, seal FROM audit_head WHERE id = 1").rows;
    const std::int64_t headSeq = head.empty() ? 0 : head[0]["seq"].get<std::int64_t>();
    const std::string headHash = head.empty() ? kGenesis : head[0]["hash"].get<std::string>();
    if (headSeq != count || headHash != previous)
        return broken(count + 1, "the log ends at entry " + std::to_string(count) + " but entry " + std::to_string(headSeq) +
                                     " was written: the newest entries were removed");
    if (sealedFrom && (head.empty() || !head[0]["seal"].is_string() ||
                       !seal_.matches("head", headSeq, headHash, head[0]["seal"].get<std::string>())))
        return broken(count + 1, "the log's end was moved: its head has no valid seal, so newest entries were removed");
    for (const auto& pin : pins)
        if (pin.seq > count)
            return broken(count + 1, "the log ends at entry " + std::to_string(count) + " but " + pin.source + " recorded entry " +
                                         std::to_string(pin.seq) + ": entries were removed");
    return {{"ok", true}, {"entries", count}, {"sealed_from", sealedFrom ? nlohmann::json(*sealedFrom) : nlohmann::json(nullptr)},
            {"pins", pins.size()}};
}

} // namespace anchang
