#pragma once
/// anchang::AuditWitness — where the audit log's end is recorded outside the database.
///
/// Seals stop anyone who holds the database alone from editing entries, but not from cutting
/// the newest ones off together with the head (an older head is a valid, sealed state too),
/// or wiping the log. So the witness keeps, in the data folder beside the database:
///  - the anchor (`audit.anchor`): the newest entry's position and hash, sealed, rewritten a few
///    seconds after the log moves;
///  - checkpoints (`audit-checkpoints.jsonl`): the position and hash at a time, signed with an
///    Ed25519 key of this server, one line an hour while the log moves, at each start and stop,
///    and whenever an admin asks. Exported and kept elsewhere (by mail, on paper), they pin the
///    log's history even against someone who later holds the whole data folder.
/// verify() then checks the log against every pin that is still genuine (docs/store.md says
/// what remains out of reach).

#include "audit/AuditLog.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace anchang {

class AuditWitness {
public:
    struct Options {
        std::filesystem::path dir;
        std::chrono::seconds anchorEvery{5};
        std::chrono::seconds checkpointEvery{3600};
    };

    AuditWitness(AuditLog& log, Options options);
    ~AuditWitness();

    /// Records where the log stands now, then keeps doing so on its own thread.
    void start();
    /// Records where the log stands, then ends the thread.
    void stop();

    /// Rewrites the anchor when the log moved since the last one.
    void anchor();
    /// Signs and keeps where the log stands now: {"seq","hash","at","signature"}.
    nlohmann::json checkpoint();
    /// Every checkpoint kept, and the public key that checks them: what an admin exports.
    nlohmann::json exportCheckpoints() const;
    /// The positions to hold the log to: the anchor and every kept checkpoint whose seal or
    /// signature holds (one that does not is reported by name instead of silently ignored).
    std::vector<AuditLog::Pin> pins(std::vector<std::string>& problems) const;
    /// An exported checkpoint as a pin, or nullopt when this server's key did not sign it.
    std::optional<AuditLog::Pin> pinOf(const nlohmann::json& checkpoint) const;

private:
    static std::string signedText(std::int64_t seq, const std::string& hash, std::int64_t at);
    /// The anchor on disk when its seal holds; otherwise nullopt, and `problem` says why when
    /// there is an anchor at all.
    std::optional<AuditLog::Pin> readAnchor(std::string* problem = nullptr) const;
    void run();

    AuditLog& log_;
    Options options_;
    std::string privateKey_;
    std::string publicKey_;
    mutable std::mutex mutex_;
    std::int64_t anchoredSeq_ = -1;
    std::int64_t checkpointedSeq_ = -1;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

} // namespace anchang
