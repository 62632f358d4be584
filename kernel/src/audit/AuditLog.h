#pragma once
/// anchang::AuditLog — the append-only, hash-chained record of sensitive operations.
///
/// The digital form of the paper register's rule "不得涂改和销毁": each entry stores the hash
/// of the one before it, and a head row holds the last sequence number and hash. Triggers
/// refuse UPDATE and DELETE through SQL; someone who edits the file directly cannot keep the
/// chain consistent, and verify() names the first entry that no longer fits.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

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

    explicit AuditLog(Store& store);

    /// Appends inside the caller's transaction when there is one, so the entry and the change
    /// it records commit together. Returns the sequence number.
    std::int64_t append(const Entry& entry);

    /// Newest first; filters are optional.
    nlohmann::json list(std::optional<std::int64_t> project, const std::string& actionPrefix,
                        std::optional<std::int64_t> before, int limit);

    /// {"ok":true,"entries":n} or {"ok":false,"entries":n,"first_bad":seq,"problem":"..."}.
    nlohmann::json verify();

private:
    static std::string digest(std::int64_t seq, std::int64_t at, std::int64_t actorId, const std::string& actorName,
                              std::int64_t projectId, const std::string& action, const std::string& target,
                              const std::string& detail, const std::string& previous);

    Store& store_;
};

} // namespace anchang
