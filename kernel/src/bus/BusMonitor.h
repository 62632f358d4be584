#pragma once
/// anchang::BusMonitor — what the admin's bus monitor page shows: live topics, their rates,
/// and the last messages, fed by the event proxy's capture socket.

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace anchang {

class BusMonitor {
public:
    BusMonitor(zmq::context_t& context, std::string captureEndpoint);
    ~BusMonitor();

    void start();
    void join();

    /// {"topics":[{"topic","count","rate_per_s","last_ts"}],"recent":[{"ts","topic","source",
    /// "project","body"}]}; rates are averaged over the last ten seconds.
    nlohmann::json snapshot() const;

private:
    static constexpr std::size_t kWindow = 10;
    static constexpr std::size_t kMaxTopics = 1000;
    static constexpr const char* kOtherTopics = "*";
    static constexpr std::size_t kRecent = 100;
    struct TopicStats {
        std::uint64_t count = 0;
        std::int64_t lastTs = 0;
        std::array<std::uint32_t, kWindow> perSecond{};
        std::int64_t lastSecond = 0;
    };
    void run();
    void record(const std::string& topic, const std::string& header, const std::string& body);

    zmq::context_t& context_;
    std::string captureEndpoint_;
    std::thread thread_;
    mutable std::mutex mutex_;
    std::map<std::string, TopicStats> topics_;
    std::deque<nlohmann::json> recent_;
};

} // namespace anchang
