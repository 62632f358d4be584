#pragma once
/// anchang::DurableDelivery — one plugin's durable subscriptions, fed from the outbox.
///
/// A thread of the plugin's own reads the stored events after its position, oldest first, and
/// calls the plugin's handler for each; a batch of events (up to 100, or 50 ms of handling) and
/// the step of the position commit together, so an event is handled once even across a kill -9
/// (before the commit nothing of the batch happened; after, it is not delivered again), and the
/// disk is waited for once per batch, not once per event. A handler that fails is rolled back
/// alone (a savepoint of its own), logged, and passed over, so one bad event cannot stop the
/// plugin's stream; the event's sequence number is in its header (`seq`) for a plugin that
/// keeps its own record.

#include "anchang/abi.h"
#include "plugin/Outbox.h"

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace Poco {
class Logger;
}

namespace anchang {

class Store;

class DurableDelivery {
public:
    struct Subscription {
        std::string prefix;
        anchang_event_fn fn;
        void* user;
    };

    DurableDelivery(Outbox& outbox, Store& store, std::string subscriber);
    ~DurableDelivery();

    void subscribe(Subscription subscription) { subscriptions_.push_back(std::move(subscription)); }
    bool empty() const { return subscriptions_.empty(); }

    void start();
    void stop();

private:
    void run();
    void deliver(const Outbox::Event& event, Poco::Logger& log);

    Outbox& outbox_;
    Store& store_;
    std::string subscriber_;
    std::vector<Subscription> subscriptions_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

} // namespace anchang
