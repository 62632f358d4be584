#include "audit/AuditWitness.h"

#include "anchang/sdk/Json.hpp"
#include "licence/Ed25519.h"
#include "store/SecretFile.h"

#include <Poco/Logger.h>
#include <Poco/Timestamp.h>

#include <fstream>
#include <sstream>

namespace anchang {

namespace {

constexpr const char* kAnchor = "audit.anchor";
constexpr const char* kCheckpoints = "audit-checkpoints.jsonl";
constexpr const char* kSigningKey = "audit-signing.key";

std::int64_t nowMs() { return Poco::Timestamp().epochMicroseconds() / 1000; }

std::string timeText(std::int64_t ms) {
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&seconds));
    return text;
}

} // namespace

AuditWitness::AuditWitness(AuditLog& log, Options options) : log_(log), options_(std::move(options)) {
    const auto keys = sdk::Json::parse(SecretFile::loadOrCreate((options_.dir / kSigningKey).string(), 64, [] {
        const auto pair = Ed25519::generate();
        return nlohmann::json{{"private", pair.privatePem}, {"public", pair.publicPem}}.dump();
    }));
    if (!keys.is_object() || !keys.contains("private") || !keys.contains("public"))
        throw std::runtime_error((options_.dir / kSigningKey).string() + " is not an audit signing key");
    privateKey_ = keys["private"];
    publicKey_ = keys["public"];
}

AuditWitness::~AuditWitness() { stop(); }

std::string AuditWitness::signedText(std::int64_t seq, const std::string& hash, std::int64_t at) {
    return "anchang audit checkpoint\n" + std::to_string(seq) + "\n" + hash + "\n" + std::to_string(at) + "\n";
}

void AuditWitness::start() {
    anchor();
    if (log_.head().seq > 0) checkpoint();
    thread_ = std::thread([this] { run(); });
}

void AuditWitness::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    try {
        anchor();
        if (log_.head().seq != checkpointedSeq_) checkpoint();
    } catch (const std::exception& e) {
        Poco::Logger::get("audit").error("could not record the audit log's end at stop: %s", std::string(e.what()));
    }
}

void AuditWitness::run() {
    auto nextCheckpoint = std::chrono::steady_clock::now() + options_.checkpointEvery;
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, options_.anchorEvery, [this] { return stopping_; });
        if (stopping_) break;
        lock.unlock();
        try {
            anchor();
            if (std::chrono::steady_clock::now() >= nextCheckpoint) {
                if (log_.head().seq != checkpointedSeq_) checkpoint();
                nextCheckpoint = std::chrono::steady_clock::now() + options_.checkpointEvery;
            }
        } catch (const std::exception& e) {
            Poco::Logger::get("audit").error("could not record the audit log's end: %s", std::string(e.what()));
        }
        lock.lock();
    }
}

void AuditWitness::anchor() {
    const auto head = log_.head();
    std::lock_guard lock(mutex_);
    if (head.seq == anchoredSeq_) return;
    // The anchor only ever moves forward along the same history. A log that no longer holds
    // what the anchor recorded (cut back, wiped, rewritten while the kernel was down) leaves
    // the anchor as it is: it is the evidence verify() reports.
    if (const auto earlier = readAnchor(); earlier && earlier->seq > 0) {
        if (head.seq < earlier->seq || log_.hashAt(earlier->seq) != earlier->hash) {
            if (anchoredSeq_ != head.seq)
                Poco::Logger::get("audit").error("the audit log no longer holds entry %Ld as %s recorded it; the anchor is kept",
                                                 earlier->seq, earlier->source);
            anchoredSeq_ = head.seq;
            return;
        }
    }
    const nlohmann::json anchor = {{"seq", head.seq}, {"hash", head.hash}, {"at", nowMs()},
                                   {"seal", log_.seal().of("anchor", head.seq, head.hash)}};
    // Replaced whole or not at all; no fsync: after a crash an older anchor pins an older entry,
    // which is still there.
    const auto path = options_.dir / kAnchor;
    const auto partial = options_.dir / (std::string(kAnchor) + ".partial");
    std::ofstream(partial) << anchor.dump() << "\n";
    std::filesystem::rename(partial, path);
    anchoredSeq_ = head.seq;
}

nlohmann::json AuditWitness::checkpoint() {
    const auto head = log_.head();
    const std::int64_t at = nowMs();
    const nlohmann::json entry = {{"seq", head.seq}, {"hash", head.hash}, {"at", at},
                                  {"signature", Ed25519::sign(privateKey_, signedText(head.seq, head.hash, at))}};
    std::lock_guard lock(mutex_);
    std::ofstream(options_.dir / kCheckpoints, std::ios::app) << entry.dump() << "\n";
    checkpointedSeq_ = head.seq;
    return entry;
}

nlohmann::json AuditWitness::exportCheckpoints() const {
    nlohmann::json checkpoints = nlohmann::json::array();
    std::lock_guard lock(mutex_);
    std::ifstream in(options_.dir / kCheckpoints);
    for (std::string line; std::getline(in, line);) {
        const auto entry = sdk::Json::parse(line);
        if (entry.is_object()) checkpoints.push_back(entry);
    }
    return {{"public_key", publicKey_}, {"checkpoints", checkpoints}};
}

std::optional<AuditLog::Pin> AuditWitness::pinOf(const nlohmann::json& checkpoint) const {
    if (!checkpoint.is_object()) return std::nullopt;
    const auto seq = checkpoint.find("seq");
    const auto hash = checkpoint.find("hash");
    const auto at = checkpoint.find("at");
    const auto signature = checkpoint.find("signature");
    if (seq == checkpoint.end() || !seq->is_number_integer() || hash == checkpoint.end() || !hash->is_string() ||
        at == checkpoint.end() || !at->is_number_integer() || signature == checkpoint.end() || !signature->is_string())
        return std::nullopt;
    if (!Ed25519::verify(publicKey_, signedText(*seq, *hash, *at), *signature)) return std::nullopt;
    return AuditLog::Pin{seq->get<std::int64_t>(), hash->get<std::string>(), "the checkpoint of " + timeText(*at)};
}

std::optional<AuditLog::Pin> AuditWitness::readAnchor(std::string* problem) const {
    std::ifstream in(options_.dir / kAnchor);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.empty()) return std::nullopt;
    const auto anchor = sdk::Json::parse(text);
    if (anchor.is_object() && anchor.contains("seq") && anchor["seq"].is_number_integer() && anchor.contains("hash") &&
        anchor["hash"].is_string() && anchor.contains("seal") && anchor["seal"].is_string() &&
        log_.seal().matches("anchor", anchor["seq"], anchor["hash"].get<std::string>(), anchor["seal"].get<std::string>()))
        return AuditLog::Pin{anchor["seq"], anchor["hash"], "the anchor of " + timeText(anchor.value("at", std::int64_t{0}))};
    if (problem) *problem = std::string(kAnchor) + " was changed: its seal does not match";
    return std::nullopt;
}

std::vector<AuditLog::Pin> AuditWitness::pins(std::vector<std::string>& problems) const {
    std::vector<AuditLog::Pin> pins;
    std::string problem;
    if (auto anchor = readAnchor(&problem)) pins.push_back(*anchor);
    else if (!problem.empty()) problems.push_back(problem);
    const auto exported = exportCheckpoints();
    for (const auto& checkpoint : exported["checkpoints"]) {
        if (auto pin = pinOf(checkpoint)) pins.push_back(*pin);
        else problems.push_back(std::string(kCheckpoints) + " holds a line this server did not sign");
    }
    return pins;
}

} // namespace anchang
