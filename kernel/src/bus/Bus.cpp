#include "bus/Bus.h"

namespace anchang {

Bus::Bus(Options options) : options_(std::move(options)), context_(1) {
    // One I/O thread is plenty for loopback traffic and leaves the second core to the work.
    context_.set(zmq::ctxopt::max_sockets, 65536);
}

Bus::~Bus() { stop(); }

std::string Bus::tcp(int port) const {
    return "tcp://" + options_.host + ":" + (port == 0 ? std::string("*") : std::to_string(port));
}

void Bus::start() {
    EventProxy::Endpoints events;
    events.internal = kPublishInproc;
    events.capture = kCaptureInproc;
    events.subscribe.push_back(kSubscribeInproc);
    ServiceBroker::Options broker;
    broker.endpoints.push_back(kRequestInproc);
    broker.workerTimeoutMs = options_.workerTimeoutMs;
    broker.explain = options_.explain;
    if (options_.external) {
        // Before any tcp endpoint is bound: ZeroMQ refuses PLAIN handshakes while no handler listens.
        credentials_ = std::make_unique<BusCredentials>(context_, options_.credentials);
        credentials_->start();
        events.subscribe.push_back(tcp(options_.subscribePort));
        events.publish.push_back(tcp(options_.publishPort));
        broker.endpoints.push_back(tcp(options_.requestPort));
        events.authenticate = broker.authenticate = true;
        events.mayPublish = options_.mayPublish;
        broker.mayOffer = options_.mayOffer;
    }
    proxy_ = std::make_unique<EventProxy>(context_, std::move(events));
    broker_ = std::make_unique<ServiceBroker>(context_, std::move(broker));
    monitor_ = std::make_unique<BusMonitor>(context_, kCaptureInproc);
    proxy_->start();
    broker_->start();
    monitor_->start();
    client_ = std::make_unique<BusClient>(context_, kPublishInproc, kRequestInproc);
}

void Bus::stop() {
    if (stopped_) return;
    stopped_ = true;
    if (client_) client_->close();
    context_.shutdown();
    if (proxy_) proxy_->join();
    if (broker_) broker_->join();
    if (monitor_) monitor_->join();
    if (credentials_) credentials_->join();
    context_.close();
}

std::unique_ptr<PluginBusAgent> Bus::agent(const std::string& pluginId, int workers) {
    return std::make_unique<PluginBusAgent>(context_, pluginId, kSubscribeInproc, kRequestInproc, *client_, *broker_, workers,
                                            options_.joiner);
}

nlohmann::json Bus::endpoints() const {
    nlohmann::json out = nlohmann::json::object();
    if (!options_.external) return out;
    for (const auto& endpoint : broker_->bound())
        if (endpoint.starts_with("tcp://")) out["request"] = endpoint;
    for (const auto& endpoint : proxy_->boundSubscribe())
        if (endpoint.starts_with("tcp://")) out["subscribe"] = endpoint;
    for (const auto& endpoint : proxy_->boundPublish())
        if (endpoint.starts_with("tcp://")) out["publish"] = endpoint;
    return out;
}

nlohmann::json Bus::counters() const {
    return {{"events_forwarded", proxy_->forwarded()},
            {"events_dropped", proxy_->dropped()},
            {"requests_dropped", broker_->dropped()},
            {"offers_refused", broker_->refusedOffers()},
            {"connections_accepted", credentials_ ? credentials_->accepted() : 0},
            {"connections_refused", credentials_ ? credentials_->refused() : 0}};
}

} // namespace anchang
