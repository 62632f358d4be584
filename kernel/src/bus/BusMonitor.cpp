#include "bus/BusMonitor.h"

#include "bus/BusHeader.h"
#include "bus/BusProtocol.h"

#include <Poco/Logger.h>

#include <zmq_addon.hpp>

namespace anchang {

namespace {
/// Advances a ring of per-second counters to `second`, clearing the seconds that passed.
template <class Ring>
void advance(Ring& ring, std::int64_t& lastSecond, std::int64_t second) {
    if (lastSecond == 0) lastSecond = second;
    const std::int64_t gap = std::min<std::int64_t>(second - lastSecond, static_cast<std::int64_t>(ring.size()));
    for (std::int64_t s = 1; s <= gap; ++s) ring[static_cast<std::size_t>((lastSecond + s) % static_cast<std::int64_t>(ring.size()))] = 0;
    if (second > lastSecond) lastSecond = second;
}
} // namespace

BusMonitor::BusMonitor(zmq::context_t& context, std::string captureEndpoint)
    : context_(context), captureEndpoint_(std::move(captureEndpoint)) {}

BusMonitor::~BusMonitor() { join(); }

void BusMonitor::start() {
    thread_ = std::thread([this] { run(); });
}

void BusMonitor::join() {
    if (thread_.joinable()) thread_.join();
}

void BusMonitor::run() {
    try {
        zmq::socket_t sub(context_, zmq::socket_type::sub);
        sub.set(zmq::sockopt::linger, 0);
        sub.set(zmq::sockopt::subscribe, "");
        sub.connect(captureEndpoint_);
        std::vector<zmq::message_t> frames;
        for (;;) {
            frames.clear();
            if (!BusProtocol::receive(sub, frames, zmq::recv_flags::none)) continue;
            if (frames.size() != 4) continue;
            record(std::string(BusProtocol::view(frames[0])), std::string(BusProtocol::view(frames[2])),
                   std::string(BusProtocol::view(frames[3])));
        }
    } catch (const zmq::error_t& e) {
        if (e.num() != ETERM) Poco::Logger::get("bus").error("bus monitor stopped: %s", std::string(e.what()));
    }
}

void BusMonitor::record(const std::string& topic, const std::string& header, const std::string& body) {
    const std::int64_t now = BusProtocol::nowMs();
    const auto parsedHeader = BusHeader::parse(header);
    nlohmann::json entry = {{"ts", now}, {"topic", topic}};
    if (parsedHeader) {
        entry["source"] = parsedHeader->source;
        entry["project"] = parsedHeader->project;
    }
    // Bodies can carry personal data and be large: the monitor keeps a short preview only.
    entry["body"] = body.size() > 300 ? body.substr(0, 300) + "…" : body;

    std::lock_guard lock(mutex_);
    // Topics are the publishers' to choose; past kMaxTopics distinct ones, the rest share one
    // line, so made-up topics cannot grow memory or the monitor's answer.
    auto it = topics_.find(topic);
    if (it == topics_.end()) it = topics_.size() < kMaxTopics ? topics_.emplace(topic, TopicStats{}).first : topics_.try_emplace(kOtherTopics).first;
    TopicStats& stats = it->second;
    ++stats.count;
    stats.lastTs = now;
    const std::int64_t second = now / 1000;
    advance(stats.perSecond, stats.lastSecond, second);
    ++stats.perSecond[static_cast<std::size_t>(second % static_cast<std::int64_t>(kWindow))];
    recent_.push_front(std::move(entry));
    if (recent_.size() > kRecent) recent_.pop_back();
}

nlohmann::json BusMonitor::snapshot() const {
    const std::int64_t second = BusProtocol::nowMs() / 1000;
    std::lock_guard lock(mutex_);
    nlohmann::json topics = nlohmann::json::array();
    for (const auto& [topic, original] : topics_) {
        TopicStats stats = original;
        advance(stats.perSecond, stats.lastSecond, second);
        std::uint64_t window = 0;
        for (auto count : stats.perSecond) window += count;
        topics.push_back({{"topic", topic}, {"count", stats.count}, {"last_ts", stats.lastTs},
                          {"rate_per_s", static_cast<double>(window) / kWindow}});
    }
    nlohmann::json recent = nlohmann::json::array();
    for (const auto& entry : recent_) recent.push_back(entry);
    return {{"topics", topics}, {"recent", recent}};
}

} // namespace anchang
