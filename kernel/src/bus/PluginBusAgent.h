#pragma once
/// anchang::PluginBusAgent — one plugin's presence on the bus.
///
/// Owns the plugin's sockets, each on its own thread as ZeroMQ requires: an event thread with a
/// SUB socket that delivers the plugin's subscriptions one event at a time, in order; and
/// `workers` service threads, each a DEALER that the broker sends requests to. The plugin's
/// handlers run on these threads and never touch a socket.

#include "anchang/abi.h"

#include <zmq.hpp>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace anchang {

class BusClient;
class ServiceBroker;
class TransactionJoiner;

class PluginBusAgent {
public:
    PluginBusAgent(zmq::context_t& context, std::string pluginId, std::string eventEndpoint,
                   std::string requestEndpoint, BusClient& client, const ServiceBroker& broker, int workers,
                   TransactionJoiner* joiner);
    ~PluginBusAgent();

    /// Registrations happen before start(), during the plugin's own start.
    void subscribe(std::string prefix, anchang_event_fn fn, void* user);
    void serve(std::string service, anchang_service_fn fn, void* user);

    /// Starts the threads and returns once the event subscriptions are live at the proxy and
    /// the broker knows the services, so an event published after start() returns is never
    /// missed and a plugin started next can call the services at once. Throws if that takes
    /// more than two seconds.
    void start();
    /// Stops delivering, tells the broker this worker left, joins the threads.
    void stop();

    const std::vector<std::string>& services() const { return serviceNames_; }
    std::uint64_t delivered() const { return delivered_.load(); }

private:
    struct Subscription {
        std::string prefix;
        anchang_event_fn fn;
        void* user;
    };
    struct Service {
        std::string name;
        anchang_service_fn fn;
        void* user;
    };

    void runEvents();
    void runWorker(int index);

    zmq::context_t& context_;
    std::string pluginId_;
    std::string eventEndpoint_;
    std::string requestEndpoint_;
    BusClient& client_;
    const ServiceBroker& broker_;
    int workers_;
    TransactionJoiner* joiner_;
    std::vector<Subscription> subscriptions_;
    std::vector<Service> servicesList_;
    std::vector<std::string> serviceNames_;
    std::vector<std::thread> threads_;
    std::atomic<bool> stopping_{false};
    /// 0 while the event subscriptions are being confirmed, 1 once live, -1 on failure.
    std::atomic<int> synced_{0};
    std::atomic<std::uint64_t> delivered_{0};
};

} // namespace anchang
