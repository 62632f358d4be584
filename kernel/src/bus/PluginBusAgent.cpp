#include "bus/PluginBusAgent.h"

#include "anchang/sdk/Json.hpp"
#include "bus/ActingUser.h"
#include "bus/BusClient.h"
#include "bus/BusHeader.h"
#include "bus/BusProtocol.h"
#include "bus/ServiceBroker.h"
#include "bus/TransactionJoiner.h"

#include <Poco/Logger.h>

#include <zmq_addon.hpp>

#include <algorithm>
#include <chrono>

namespace anchang {

namespace {
constexpr std::chrono::milliseconds kPollInterval{50};
constexpr std::int64_t kHeartbeatMs = 1000;

void appendTo(void* user, const char* data, std::size_t size) { static_cast<std::string*>(user)->append(data, size); }
} // namespace

PluginBusAgent::PluginBusAgent(zmq::context_t& context, std::string pluginId, std::string eventEndpoint,
                               std::string requestEndpoint, BusClient& client, const ServiceBroker& broker, int workers,
                               TransactionJoiner* joiner)
    : context_(context), pluginId_(std::move(pluginId)), eventEndpoint_(std::move(eventEndpoint)),
      requestEndpoint_(std::move(requestEndpoint)), client_(client), broker_(broker), workers_(std::max(1, workers)),
      joiner_(joiner) {}

PluginBusAgent::~PluginBusAgent() { stop(); }

void PluginBusAgent::subscribe(std::string prefix, anchang_event_fn fn, void* user) {
    subscriptions_.push_back({std::move(prefix), fn, user});
}

void PluginBusAgent::serve(std::string service, anchang_service_fn fn, void* user) {
    serviceNames_.push_back(service);
    servicesList_.push_back({std::move(service), fn, user});
}

void PluginBusAgent::start() {
    if (!subscriptions_.empty()) {
        threads_.emplace_back([this] { runEvents(); });
        auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (synced_.load() == 0 && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        if (synced_.load() != 1) {
            stop();
            throw std::runtime_error("event subscriptions did not become live on the bus");
        }
    }
    if (!servicesList_.empty()) {
        for (int i = 0; i < workers_; ++i) threads_.emplace_back([this, i] { runWorker(i); });
        auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        auto live = [&] {
            return std::all_of(serviceNames_.begin(), serviceNames_.end(), [&](const std::string& s) { return broker_.workers(s) > 0; });
        };
        while (!live() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        if (!live()) {
            stop();
            throw std::runtime_error("the broker did not register the services in time");
        }
    }
}

void PluginBusAgent::stop() {
    stopping_ = true;
    for (auto& thread : threads_)
        if (thread.joinable()) thread.join();
    threads_.clear();
}

void PluginBusAgent::runEvents() {
    auto& log = Poco::Logger::get("bus");
    try {
        zmq::socket_t sub(context_, zmq::socket_type::sub);
        sub.set(zmq::sockopt::linger, 0);
        sub.connect(eventEndpoint_);
        for (const auto& s : subscriptions_) sub.set(zmq::sockopt::subscribe, s.prefix);
        // Subscriptions travel to the proxy in order, so once this private topic comes back,
        // every subscription above is live there too.
        const std::string syncTopic = "$sync." + pluginId_ + "." + BusProtocol::newId();
        sub.set(zmq::sockopt::subscribe, syncTopic);
        std::vector<zmq::message_t> frames;
        auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (synced_.load() == 0 && !stopping_) {
            if (std::chrono::steady_clock::now() > until) {
                synced_.store(-1);
                return;
            }
            client_.publishRaw(syncTopic, BusProtocol::header("event", "kernel", 0), "{}");
            zmq::pollitem_t item{sub.handle(), 0, ZMQ_POLLIN, 0};
            BusProtocol::poll(&item, 1, std::chrono::milliseconds(10));
            while (item.revents & ZMQ_POLLIN) {
                frames.clear();
                if (!BusProtocol::receive(sub, frames, zmq::recv_flags::dontwait)) break;
                if (!frames.empty() && BusProtocol::view(frames[0]) == syncTopic) synced_.store(1);
            }
        }
        sub.set(zmq::sockopt::unsubscribe, syncTopic);

        while (!stopping_) {
            zmq::pollitem_t item{sub.handle(), 0, ZMQ_POLLIN, 0};
            BusProtocol::poll(&item, 1, kPollInterval);
            if (!(item.revents & ZMQ_POLLIN)) continue;
            frames.clear();
            if (!BusProtocol::receive(sub, frames, zmq::recv_flags::dontwait)) continue;
            if (frames.size() != 4) continue;
            const std::string topic(BusProtocol::view(frames[0]));
            if (topic.starts_with("$")) continue; // another agent's sync probe
            const std::string header(BusProtocol::view(frames[2]));
            const std::string body(BusProtocol::view(frames[3]));
            anchang_bus_message message{sizeof(anchang_bus_message), topic.c_str(), header.c_str(), body.c_str()};
            // The handler acts for whoever the event was published for.
            const auto parsed = BusHeader::parse(header);
            // A durable event's copy: the plugin gets the stored event itself (DurableDelivery).
            if (parsed && parsed->seq) continue;
            ActingUser::Scope acting(parsed ? parsed->user : std::nullopt);
            for (const auto& s : subscriptions_) {
                if (!topic.starts_with(s.prefix)) continue;
                try {
                    s.fn(s.user, &message);
                } catch (...) {
                    log.error("plugin %s: an event handler for %s threw", pluginId_, topic);
                }
            }
            delivered_.fetch_add(1, std::memory_order_relaxed);
        }
    } catch (const zmq::error_t& e) {
        if (e.num() != ETERM) log.error("plugin %s: event thread stopped: %s", pluginId_, std::string(e.what()));
        synced_.store(-1);
    }
}

void PluginBusAgent::runWorker(int index) {
    auto& log = Poco::Logger::get("bus");
    try {
        zmq::socket_t dealer(context_, zmq::socket_type::dealer);
        dealer.set(zmq::sockopt::linger, 0);
        dealer.set(zmq::sockopt::routing_id, pluginId_ + "/" + std::to_string(index) + "/" + BusProtocol::newId());
        dealer.connect(requestEndpoint_);
        auto sendControl = [&](const char* type, const nlohmann::json& body) {
            dealer.send(BusProtocol::frame(BusProtocol::kProtocol), zmq::send_flags::sndmore);
            dealer.send(BusProtocol::frame(BusProtocol::header(type, pluginId_, 0).dump()), zmq::send_flags::sndmore);
            dealer.send(BusProtocol::frame(body.dump()), zmq::send_flags::none);
        };
        const nlohmann::json ready = {{"services", serviceNames_}, {"capacity", 1}};
        sendControl("ready", ready);
        std::int64_t nextHeartbeat = BusProtocol::nowMs() + kHeartbeatMs;
        std::vector<zmq::message_t> frames;
        while (!stopping_) {
            zmq::pollitem_t item{dealer.handle(), 0, ZMQ_POLLIN, 0};
            BusProtocol::poll(&item, 1, kPollInterval);
            if (BusProtocol::nowMs() >= nextHeartbeat) {
                sendControl("heartbeat", nlohmann::json::object());
                nextHeartbeat = BusProtocol::nowMs() + kHeartbeatMs;
            }
            if (!(item.revents & ZMQ_POLLIN)) continue;
            frames.clear();
            if (!BusProtocol::receive(dealer, frames, zmq::recv_flags::dontwait)) continue;
            if (frames.size() != 4) continue;
            const auto header = BusHeader::parse(BusProtocol::view(frames[2]));
            if (!header) continue; // the broker passes only checked headers; this is its own bug
            if (header->type == "reregister") {
                sendControl("ready", ready);
                continue;
            }
            if (header->type != "request") continue;
            const std::string& service = header->service;
            const std::string headerText(BusProtocol::view(frames[2]));
            const std::string body(BusProtocol::view(frames[3]));
            anchang_bus_message message{sizeof(anchang_bus_message), service.c_str(), headerText.c_str(), body.c_str()};
            std::string answer;
            int status = ANCHANG_E_UNAVAILABLE;
            {
                ActingUser::Scope acting(header->user);
                // A caller inside a store transaction lent it: the service works in it, in a
                // savepoint kept only when it succeeds, and commits with the caller.
                std::unique_ptr<TransactionJoiner::Joined> joined;
                if (!header->tx.empty()) joined = joiner_ ? joiner_->join(header->tx) : nullptr;
                if (!header->tx.empty() && !joined) {
                    status = ANCHANG_E_STATE;
                    answer = nlohmann::json{{"code", "bus.transaction_gone"}, {"message", "the caller's transaction ended before the call ran"},
                                            {"status", 409}}.dump();
                } else {
                    for (const auto& s : servicesList_) {
                        if (s.name != service) continue;
                        try {
                            status = s.fn(s.user, &message, &appendTo, &answer);
                        } catch (...) {
                            status = ANCHANG_E_INTERNAL;
                            answer.clear();
                        }
                        break;
                    }
                    if (joined && status == ANCHANG_OK) joined->keep();
                }
            } // the savepoint is released, or rolled back, before the caller hears back
            if (status != ANCHANG_OK && !sdk::Json::accept(answer))
                answer = nlohmann::json{{"code", "internal"}, {"message", "the service failed"}, {"status", 500}}.dump();
            if (status == ANCHANG_OK && !sdk::Json::accept(answer)) {
                log.error("plugin %s: service %s answered with invalid JSON", pluginId_, service);
                status = ANCHANG_E_INTERNAL;
                answer = nlohmann::json{{"code", "internal"}, {"message", "the service answered garbage"}, {"status", 500}}.dump();
            }
            nlohmann::json replyHeader = BusProtocol::header("reply", pluginId_, header->project);
            replyHeader["correlation_id"] = header->id;
            replyHeader["status"] = status;
            dealer.send(frames[0], zmq::send_flags::sndmore);
            dealer.send(BusProtocol::frame(BusProtocol::kProtocol), zmq::send_flags::sndmore);
            dealer.send(BusProtocol::frame(replyHeader.dump()), zmq::send_flags::sndmore);
            dealer.send(BusProtocol::frame(answer), zmq::send_flags::none);
        }
        sendControl("disconnect", nlohmann::json::object());
    } catch (const zmq::error_t& e) {
        if (e.num() != ETERM) log.error("plugin %s: worker stopped: %s", pluginId_, std::string(e.what()));
    }
}

} // namespace anchang
