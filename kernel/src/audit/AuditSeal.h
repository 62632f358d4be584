#pragma once
/// anchang::AuditSeal — the audit log's key, kept in the data folder beside the database and
/// never in it (SecretFile).
///
/// The chain's SHA-256 hashes show that entries follow each other, but anyone who can write the
/// database file can recompute them after an edit. So each entry, the head, and the anchor
/// outside the database also carry a seal, an HMAC under this key: someone holding the database
/// alone cannot forge one, and verify() names the first entry whose seal does not fit.

#include <cstdint>
#include <string>
#include <string_view>

namespace anchang {

class AuditSeal {
public:
    explicit AuditSeal(std::string key) : key_(std::move(key)) {}

    /// The seal of what sits at `seq` with `hash`; `purpose` keeps an entry's, the head's and
    /// the anchor's seals of the same position apart ("entry", "head", "anchor").
    std::string of(std::string_view purpose, std::int64_t seq, std::string_view hash) const;
    bool matches(std::string_view purpose, std::int64_t seq, std::string_view hash, std::string_view seal) const;

private:
    std::string key_;
};

} // namespace anchang
