#pragma once
/// anchang::Outbox — durable events: stored with the change they announce, delivered after it.
///
/// A plugin publishing on a topic its manifest marks durable does not send the event on the
/// bus: the event is a row of `bus_outbox`, written in the publisher's transaction (or in one of
/// its own), so it exists exactly when the change does. After the commit the outbox wakes the
/// durable subscribers (DurableDelivery), which read on from their own positions; it also
/// publishes a copy, marked with its sequence number, for the bus monitor and out-of-process
/// subscribers. Commissions, protection clocks and the pool run on these events: none may be
/// lost, and none is dropped for a slow subscriber — it only falls behind (its lag is shown).

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace anchang {

class BusClient;
class Store;

class Outbox {
public:
    struct Event {
        std::int64_t seq = 0;
        std::string topic;
        std::int64_t project = 0;
        std::string header; ///< JSON, with "seq"
        std::string body;
    };

    Outbox(Store& store, BusClient& bus);

    /// Stores the event; `header` is the bus header it will carry (source, user, ...).
    std::int64_t append(const std::string& topic, std::int64_t project, nlohmann::json header, std::string_view body);

    /// The next events after `seq` whose topic starts with one of `prefixes`, oldest first.
    std::vector<Event> after(std::int64_t seq, const std::vector<std::string>& prefixes, int limit);
    /// Waits until an event after `seq` may have been stored, or `wait` passed, or `quit` is
    /// set (and wake() called), or stop().
    void waitBeyond(std::int64_t seq, std::chrono::milliseconds wait, const std::atomic<bool>& quit);
    /// Wakes every waiter, to look at its `quit`.
    void wake() { changed_.notify_all(); }
    /// The newest stored sequence number.
    std::int64_t newest();
    /// The newest sequence number committed through this outbox, without asking the store:
    /// commits are serial, so every event up to it is readable.
    std::int64_t announced() {
        std::lock_guard lock(mutex_);
        return announced_;
    }

    /// A subscriber's position; one seen for the first time starts at the newest event.
    std::int64_t position(const std::string& subscriber);
    /// Moves a subscriber on, in the caller's transaction when there is one.
    void advance(const std::string& subscriber, std::int64_t seq);
    /// A subscriber has looked at every event up to `seq` (none after its position was for it):
    /// kept in memory only, so the monitor shows no lag for events it does not subscribe to.
    void scanned(const std::string& subscriber, std::int64_t seq);
    /// {"subscribers":[{"subscriber","position","lag"}],"newest"} for the bus monitor.
    nlohmann::json lag();
    /// Forgets delivered events older than `age` (every subscriber is past them).
    void prune(std::chrono::milliseconds age);

    void stop();

private:
    void announce(std::int64_t seq);

    Store& store_;
    BusClient& bus_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::int64_t announced_ = 0;
    std::map<std::string, std::int64_t> scanned_;
    bool stopping_ = false;
};

} // namespace anchang
