#pragma once
/// anchang::AuditLog — the append-only, hash-chained, sealed record of sensitive operations.
///
/// The digital form of the paper register's rule "不得涂改和销毁": each entry stores the hash
/// of the one before it and a seal (AuditSeal: an HMAC under a key outside the database), and a
/// head row holds the last sequence number, hash and seal. Triggers refuse UPDATE and DELETE
/// through SQL. Someone who edits the file directly can recompute hashes but not seals, so
/// verify() names the first entry that no longer fits; and what was cut off the end (or the
/// whole log wiped) shows against the positions AuditWitness pinned outside the database.

#include "audit/AuditSeal.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace anchang {

class Store;

class AuditLog {
public:
    struct Entry {
        std::int64_t actorId = 0;
        std::string actorName;
        std::int64_t projectId = 0;
        std::string action;  ///< "customer.owner.change", "licence.change", ...
        std::string target;  ///< "customer:42"
        nlohmann::json detail = nlohmann::json::object();
    };
    /// The newest entry: 0 and the genesis hash for an empty log.
    struct Head {
        std::int64_t seq = 0;
        std::string hash;
    };
    /// A position known from outside the database: that entry `seq` had `hash`.
    struct Pin {
        std::int64_t seq = 0;
        std::string hash;
        std::string source; ///< what pinned it, for the report ("the anchor of 2026-12-04 10:00")
    };

    AuditLog(Store& store, AuditSeal seal);

    /// Appends inside the caller's transaction when there is one, so the entry and the change
    /// it records commit together. Returns the sequence number.
    std::int64_t append(const Entry& entry);

    /// Newest first; filters are optional.
    nlohmann::json list(std::optional<std::int64_t> project, const std::string& actionPrefix,
                        std::optional<std::int64_t> before, int limit);

    Head head();
    /// The hash of entry `seq`, or nullopt when there is no such entry.
    std::optional<std::string> hashAt(std::int64_t seq);

    /// {"ok":true,"entries":n,"sealed_from":seq|null,"pins":k} or, at the first problem,
    /// {"ok":false,"entries":n,"first_bad":seq,"problem":"..."}. Every pin must still be in the
    /// chain: entries removed from the end, or the whole log wiped, fail on it.
    nlohmann::json verify(const std::vector<Pin>& pins = {});

    const AuditSeal& seal() const { return seal_; }

    /// An entry's hash: SHA-256 over its length-prefixed fields and the previous entry's hash
    /// (docs/store.md), so anyone can recompute the chain from an export.
    static std::string digest(std::int64_t seq, std::int64_t at, std::int64_t actorId, const std::string& actorName,
                              std::int64_t projectId, const std::string& action, const std::string& target,
                              const std::string& detail, const std::string& previous);

private:
    Store& store_;
    AuditSeal seal_;
};

} // namespace anchang
