#pragma once
/// anchang::Bus — the kernel's ZeroMQ bus: context, event proxy, service broker, monitor.
///
/// In-process plugins use the inproc:// endpoints; out-of-process plugins use the same frames
/// on the tcp:// endpoints, bound to loopback unless configured otherwise. docs/bus.md is the
/// reference for both.

#include "bus/BusClient.h"
#include "bus/BusCredentials.h"
#include "bus/BusMonitor.h"
#include "bus/EventProxy.h"
#include "bus/PluginBusAgent.h"
#include "bus/ServiceBroker.h"
#include "bus/TransactionJoiner.h"

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace anchang {

class Bus {
public:
    struct Options {
        /// Bind the tcp endpoints, which then need a credential (BusCredentials).
        bool external = false;
        /// Client name -> secret for the tcp endpoints (`bus.credentials.<name>`).
        std::map<std::string, std::string> credentials;
        std::string host = "127.0.0.1";
        int requestPort = 8081;      ///< ROUTER: requests and workers; 0 picks a free port
        int subscribePort = 8082;    ///< XPUB: subscribe to events
        int publishPort = 8083;      ///< XSUB: publish events
        int workerTimeoutMs = 5000;
        ServiceBroker::Explain explain;
        /// What each out-of-process client declared (its approved manifest): services it may
        /// offer, topics it may publish.
        ServiceBroker::MayOffer mayOffer;
        std::function<bool(const std::string& peer, const std::string& topic)> mayPublish;
        /// How a service joins its caller's store transaction (the kernel's Store).
        TransactionJoiner* joiner = nullptr;
    };

    static constexpr const char* kRequestInproc = "inproc://anchang.services";
    static constexpr const char* kSubscribeInproc = "inproc://anchang.events.out";
    static constexpr const char* kPublishInproc = "inproc://anchang.events.in";
    static constexpr const char* kCaptureInproc = "inproc://anchang.events.capture";

    explicit Bus(Options options);
    ~Bus();

    /// Binds and starts the proxy, broker and monitor. Throws when a port is taken.
    void start();
    /// Shuts the context down: every bus thread ends, blocked calls return bus.stopped.
    void stop();

    BusClient& client() { return *client_; }
    /// For kernel parts that own a socket of their own (the push hub).
    zmq::context_t& context() { return context_; }
    BusMonitor& monitor() { return *monitor_; }
    const ServiceBroker& broker() const { return *broker_; }
    const EventProxy& proxy() const { return *proxy_; }

    std::unique_ptr<PluginBusAgent> agent(const std::string& pluginId, int workers);

    /// {"request":"tcp://127.0.0.1:8081","subscribe":...,"publish":...} as bound.
    nlohmann::json endpoints() const;
    /// Counters for the monitor: forwarded and dropped events, dropped broker messages, tcp
    /// connections accepted and refused by BusCredentials.
    nlohmann::json counters() const;

private:
    std::string tcp(int port) const;

    Options options_;
    zmq::context_t context_;
    std::unique_ptr<BusCredentials> credentials_;
    std::unique_ptr<EventProxy> proxy_;
    std::unique_ptr<ServiceBroker> broker_;
    std::unique_ptr<BusMonitor> monitor_;
    std::unique_ptr<BusClient> client_;
    bool stopped_ = false;
};

} // namespace anchang
