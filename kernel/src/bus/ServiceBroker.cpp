#include "bus/ServiceBroker.h"

#include "anchang/abi.h"
#include "anchang/sdk/Json.hpp"
#include "bus/BusCredentials.h"
#include "bus/BusHeader.h"
#include "bus/EventProxy.h"
#include "bus/BusProtocol.h"

#include <Poco/Logger.h>

#include <zmq_addon.hpp>

namespace anchang {

namespace {
constexpr std::int64_t kSweepIntervalMs = 250;
}

ServiceBroker::ServiceBroker(zmq::context_t& context, Options options)
    : context_(context), options_(std::move(options)) {}

ServiceBroker::~ServiceBroker() { join(); }

void ServiceBroker::start() {
    router_ = zmq::socket_t(context_, zmq::socket_type::router);
    router_.set(zmq::sockopt::linger, 0);
    if (options_.authenticate) {
        BusCredentials::protect(router_);
        router_.set(zmq::sockopt::maxmsgsize, EventProxy::kMaxExternalMessage);
    }
    for (const auto& endpoint : options_.endpoints) {
        router_.bind(endpoint);
        bound_.push_back(router_.get(zmq::sockopt::last_endpoint));
    }
    thread_ = std::thread([this] { run(); });
}

void ServiceBroker::join() {
    if (thread_.joinable()) thread_.join();
}

nlohmann::json ServiceBroker::stats() const {
    std::lock_guard lock(statsMutex_);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [service, s] : stats_)
        out.push_back({{"service", service}, {"workers", s.workers}, {"requests", s.requests},
                       {"errors", s.errors}, {"queued", s.queued}});
    if (unoffered_.requests)
        out.push_back({{"service", kUnoffered}, {"workers", 0}, {"requests", unoffered_.requests},
                       {"errors", unoffered_.errors}, {"queued", 0}});
    return out;
}

std::size_t ServiceBroker::workers(const std::string& service) const {
    std::lock_guard lock(statsMutex_);
    auto it = stats_.find(service);
    return it == stats_.end() ? 0 : it->second.workers;
}

void ServiceBroker::updateStats(const std::string& service, const std::function<void(ServiceStats&)>& change) {
    std::lock_guard lock(statsMutex_);
    const auto it = stats_.find(service);
    change(it != stats_.end() ? it->second : unoffered_);
}

void ServiceBroker::drop(const char* why) {
    if (dropped_.fetch_add(1) % 1000 == 0)
        Poco::Logger::get("bus").warning("broker dropped a malformed message: %s (%z dropped so far)",
                                         std::string(why), static_cast<std::size_t>(dropped_.load()));
}

void ServiceBroker::run() {
    auto& log = Poco::Logger::get("bus");
    std::vector<zmq::message_t> frames;
    std::int64_t nextSweep = BusProtocol::nowMs() + kSweepIntervalMs;
    try {
        for (;;) {
            zmq::pollitem_t item{router_.handle(), 0, ZMQ_POLLIN, 0};
            std::int64_t wait = std::max<std::int64_t>(0, nextSweep - BusProtocol::nowMs());
            BusProtocol::poll(&item, 1, std::chrono::milliseconds(wait));
            if (item.revents & ZMQ_POLLIN) {
                // Drain what is there before sweeping, so a busy broker still sweeps on time.
                for (int i = 0; i < 1000; ++i) {
                    frames.clear();
                    if (!BusProtocol::receive(router_, frames, zmq::recv_flags::dontwait)) break;
                    try {
                        onMessage(frames);
                    } catch (const zmq::error_t&) {
                        throw;
                    } catch (const std::exception& e) {
                        drop(e.what());
                    }
                }
            }
            if (BusProtocol::nowMs() >= nextSweep) {
                sweep();
                nextSweep = BusProtocol::nowMs() + kSweepIntervalMs;
            }
        }
    } catch (const zmq::error_t& e) {
        if (e.num() != ETERM) log.error("service broker stopped: %s", std::string(e.what()));
    }
    router_.close();
}

void ServiceBroker::onMessage(std::vector<zmq::message_t>& frames) {
    // [peer][protocol][header][body]  or, from a worker, [peer][client][protocol][header][body]
    if (frames.size() == 5) {
        if (BusProtocol::view(frames[2]) != BusProtocol::kProtocol) return drop("bad protocol frame");
        const auto header = BusHeader::parse(BusProtocol::view(frames[3]));
        if (!header || header->type != "reply") return drop("five frames that are not a reply");
        return onReply(frames);
    }
    if (frames.size() != 4) return drop("wrong number of frames");
    if (BusProtocol::view(frames[1]) != BusProtocol::kProtocol) return drop("bad protocol frame");
    const auto header = BusHeader::parse(BusProtocol::view(frames[2]));
    if (!header) return drop("header is not a JSON object with fields of the right types");
    if (!BusProtocol::isJson(frames[3])) return drop("body is not JSON");
    const std::string& type = header->type;
    const std::string identity(BusProtocol::view(frames[0]));
    // An out-of-process client speaks for itself only: the kernel names it as the source and
    // drops any acting user or transaction it claimed.
    const std::string peer = BusProtocol::peerOf(frames[1]);
    if (!peer.empty()) frames[2] = BusProtocol::frame(BusProtocol::restamp(BusProtocol::view(frames[2]), peer));
    if (type == "request") return onRequest(frames, *header);
    if (type == "ready") return onReady(identity, sdk::Json::parse(BusProtocol::view(frames[3])), peer);
    if (type == "heartbeat") {
        auto it = workers_.find(identity);
        if (it != workers_.end()) it->second.lastSeen = BusProtocol::nowMs();
        else sendToWorker(identity, BusProtocol::header("reregister", "kernel", 0));
        return;
    }
    if (type == "disconnect") return removeWorker(identity);
    drop("unknown message type");
}

void ServiceBroker::onRequest(std::vector<zmq::message_t>& frames, const BusHeader& header) {
    if (header.service.empty() || header.id.empty()) return drop("request without service or id");
    const std::string& service = header.service;
    const std::string& requestId = header.id;
    if (!BusProtocol::validName(service))
        return answerError(frames[0], requestId, service, ANCHANG_E_INVALID, 400, "bus.invalid_service",
                           "not a service name: " + service);
    updateStats(service, [](ServiceStats& s) { ++s.requests; });

    const auto offer = offers_.find(service);
    if (offer == offers_.end() || offer->second.empty()) {
        std::string reason = options_.explain ? options_.explain(service) : std::string{};
        if (reason.empty()) reason = "no running module offers it";
        return answerError(frames[0], requestId, service, ANCHANG_E_UNAVAILABLE, 503, "bus.no_such_service",
                           "service " + service + " is not available: " + reason);
    }
    Pending pending;
    pending.requestId = requestId;
    pending.deadline = header.deadline.value_or(BusProtocol::nowMs() + 30000);
    if (pending.deadline <= BusProtocol::nowMs())
        return answerError(frames[0], requestId, service, ANCHANG_E_TIMEOUT, 504, "bus.timeout",
                           "the request's deadline passed before it reached " + service);
    pending.frames = std::move(frames);
    if (dispatch(service, pending)) return;
    auto& queue = queues_[service];
    if (queue.size() >= options_.maxQueued)
        return answerError(pending.frames[0], requestId, service, ANCHANG_E_UNAVAILABLE, 503, "bus.overloaded",
                           "service " + service + " has too many waiting requests");
    queue.push_back(std::move(pending));
    updateStats(service, [](ServiceStats& s) { ++s.queued; });
}

bool ServiceBroker::dispatch(const std::string& service, Pending& pending) {
    auto offer = offers_.find(service);
    if (offer == offers_.end() || offer->second.empty()) return false;
    auto& identities = offer->second;
    std::size_t& next = nextWorker_[service];
    for (std::size_t tried = 0; tried < identities.size(); ++tried) {
        const std::string& identity = identities[(next + tried) % identities.size()];
        Worker& worker = workers_.at(identity);
        if (worker.inflight >= worker.capacity) continue;
        next = (next + tried + 1) % identities.size();
        ++worker.inflight;
        router_.send(zmq::buffer(identity), zmq::send_flags::sndmore);
        for (std::size_t i = 0; i < pending.frames.size(); ++i)
            router_.send(pending.frames[i], i + 1 < pending.frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
        return true;
    }
    return false;
}

void ServiceBroker::drainQueue(const std::string& service) {
    auto it = queues_.find(service);
    if (it == queues_.end()) return;
    auto& queue = it->second;
    const std::int64_t now = BusProtocol::nowMs();
    while (!queue.empty()) {
        Pending& front = queue.front();
        if (front.deadline > now && !dispatch(service, front)) break;
        if (front.deadline <= now)
            answerError(front.frames[0], front.requestId, service, ANCHANG_E_TIMEOUT, 504, "bus.timeout",
                        "service " + service + " was busy until the request's deadline");
        queue.pop_front();
        updateStats(service, [](ServiceStats& s) { --s.queued; });
    }
}

void ServiceBroker::onReply(std::vector<zmq::message_t>& frames) {
    const std::string identity(BusProtocol::view(frames[0]));
    auto it = workers_.find(identity);
    if (it != workers_.end()) {
        it->second.lastSeen = BusProtocol::nowMs();
        if (it->second.inflight > 0) --it->second.inflight;
    }
    // The reply goes back to the client even from a worker the broker forgot meanwhile.
    for (std::size_t i = 1; i < frames.size(); ++i)
        router_.send(frames[i], i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    if (it != workers_.end())
        for (const auto& service : it->second.services) drainQueue(service);
}

void ServiceBroker::onReady(const std::string& identity, const nlohmann::json& body, const std::string& peer) {
    if (!body.is_object() || !body.contains("services") || !body["services"].is_array()) return drop("ready without services");
    // Only the plugin that declares a service serves it: a tcp client may offer what its
    // approved manifest declares, nothing else (core.customer.claim by an impostor, say).
    if (!peer.empty())
        for (const auto& name : body["services"])
            if (!name.is_string() || !options_.mayOffer || !options_.mayOffer(peer, name.get<std::string>())) {
                Poco::Logger::get("bus").warning("refused client %s offering %s: its manifest does not declare it", peer,
                                                 name.is_string() ? name.get<std::string>() : name.dump());
                ++refusedOffers_;
                return drop("a tcp client offered a service it did not declare");
            }
    removeWorker(identity);
    Worker worker;
    worker.identity = identity;
    worker.capacity = std::clamp(body.value("capacity", 1), 1, 1000);
    worker.lastSeen = BusProtocol::nowMs();
    if (body["services"].size() > kMaxServicesPerWorker) return drop("ready with more services than a worker may offer");
    for (const auto& name : body["services"]) {
        if (!name.is_string() || !BusProtocol::validName(name.get<std::string>())) continue;
        const std::string& service = name.get_ref<const std::string&>();
        if (!offers_.count(service) && offers_.size() >= kMaxServices) return drop("more service names than the broker keeps");
        worker.services.push_back(service);
    }
    for (const auto& service : worker.services) {
        offers_[service].push_back(identity);
        std::lock_guard lock(statsMutex_);
        ++stats_[service].workers; // the one place a name gets statistics of its own
    }
    auto services = worker.services;
    workers_[identity] = std::move(worker);
    for (const auto& service : services) drainQueue(service);
}

void ServiceBroker::removeWorker(const std::string& identity) {
    auto it = workers_.find(identity);
    if (it == workers_.end()) return;
    for (const auto& service : it->second.services) {
        auto& identities = offers_[service];
        std::erase(identities, identity);
        if (identities.empty()) offers_.erase(service);
        updateStats(service, [](ServiceStats& s) { if (s.workers) --s.workers; });
    }
    workers_.erase(it);
}

void ServiceBroker::sweep() {
    const std::int64_t now = BusProtocol::nowMs();
    std::vector<std::string> silent;
    for (const auto& [identity, worker] : workers_)
        if (now - worker.lastSeen > options_.workerTimeoutMs) silent.push_back(identity);
    for (const auto& identity : silent) {
        Poco::Logger::get("bus").warning("forgetting a worker that stopped heartbeating");
        removeWorker(identity);
    }
    std::vector<std::string> services;
    for (const auto& [service, queue] : queues_) if (!queue.empty()) services.push_back(service);
    for (const auto& service : services) {
        // A queued request whose service vanished must still get an answer.
        if (!offers_.count(service)) {
            auto& queue = queues_[service];
            for (auto& pending : queue)
                answerError(pending.frames[0], pending.requestId, service, ANCHANG_E_UNAVAILABLE, 503,
                            "bus.no_such_service", "service " + service + " stopped before answering");
            updateStats(service, [&](ServiceStats& s) { s.queued -= std::min(s.queued, queue.size()); });
            queue.clear();
        } else {
            drainQueue(service);
        }
    }
}

void ServiceBroker::answerError(const zmq::message_t& client, const std::string& requestId, const std::string& service,
                                int status, int httpStatus, const std::string& code, const std::string& message) {
    updateStats(service, [](ServiceStats& s) { ++s.errors; });
    nlohmann::json header = BusProtocol::header("reply", "kernel", 0);
    header["correlation_id"] = requestId;
    header["status"] = status;
    const nlohmann::json body = {{"code", code}, {"message", message}, {"status", httpStatus}};
    zmq::message_t identity;
    identity.copy(const_cast<zmq::message_t&>(client));
    router_.send(identity, zmq::send_flags::sndmore);
    router_.send(BusProtocol::frame(BusProtocol::kProtocol), zmq::send_flags::sndmore);
    router_.send(BusProtocol::frame(header.dump()), zmq::send_flags::sndmore);
    router_.send(BusProtocol::frame(body.dump()), zmq::send_flags::none);
}

void ServiceBroker::sendToWorker(const std::string& identity, const nlohmann::json& header) {
    router_.send(zmq::buffer(identity), zmq::send_flags::sndmore);
    router_.send(zmq::message_t(), zmq::send_flags::sndmore); // no client: a message from the broker itself
    router_.send(BusProtocol::frame(BusProtocol::kProtocol), zmq::send_flags::sndmore);
    router_.send(BusProtocol::frame(header.dump()), zmq::send_flags::sndmore);
    router_.send(BusProtocol::frame("{}"), zmq::send_flags::none);
}

} // namespace anchang
