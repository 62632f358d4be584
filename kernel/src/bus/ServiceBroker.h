#pragma once
/// anchang::ServiceBroker — the request half of the bus: a ROUTER that routes requests to
/// workers by service name.
///
/// Workers (plugin threads, or external processes over tcp) announce the services they offer
/// with `ready` and how many requests they take at once. A request goes to a worker with free
/// capacity, or waits in that service's queue until its deadline. A request for a service that
/// nobody offers is answered at once with `bus.no_such_service` and the reason (for instance
/// "module channel is not licensed"), never left to time out. Workers that stop heartbeating
/// are forgotten. Malformed frames are dropped and counted; the broker keeps serving.

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace anchang {

class BusHeader;

class ServiceBroker {
public:
    /// Explains why nobody offers a service; the text reaches the caller.
    using Explain = std::function<std::string(const std::string& service)>;
    /// Whether the out-of-process client `peer` (the name it authenticated with) declared
    /// `service` in its approved manifest, and so may offer it.
    using MayOffer = std::function<bool(const std::string& peer, const std::string& service)>;

    struct Options {
        std::vector<std::string> endpoints;
        int workerTimeoutMs = 5000;
        std::size_t maxQueued = 10000;
        Explain explain;
        /// tcp peers must authenticate (BusCredentials); inproc ones never do.
        bool authenticate = false;
        /// Which services a tcp peer may offer; none when unset. In-process workers are the
        /// kernel's own, checked against their manifests before they reach the broker.
        MayOffer mayOffer;
    };

    ServiceBroker(zmq::context_t& context, Options options);
    ~ServiceBroker();

    void start();
    void join();

    const std::vector<std::string>& bound() const { return bound_; }
    std::uint64_t dropped() const { return dropped_.load(); }
    /// Offers refused because the tcp client did not declare the service.
    std::uint64_t refusedOffers() const { return refusedOffers_.load(); }

    /// Per service: workers, requests, errors, queued. Safe from any thread. Only names some
    /// worker offered have their own entry; requests for any other name are summed under
    /// kUnoffered, so made-up names cannot grow memory or the answer.
    nlohmann::json stats() const;
    static constexpr const char* kUnoffered = "*";
    /// How many workers offer `service` right now. Safe from any thread.
    std::size_t workers(const std::string& service) const;

private:
    struct Worker {
        std::string identity;
        std::vector<std::string> services;
        int capacity = 1;
        int inflight = 0;
        std::int64_t lastSeen = 0;
    };
    struct Pending {
        std::vector<zmq::message_t> frames; // client id, protocol, header, body
        std::string requestId;
        std::int64_t deadline = 0;
    };
    struct ServiceStats {
        std::uint64_t requests = 0;
        std::uint64_t errors = 0;
        std::size_t queued = 0;
        std::size_t workers = 0;
    };

    void run();
    void onMessage(std::vector<zmq::message_t>& frames);
    void onRequest(std::vector<zmq::message_t>& frames, const BusHeader& header);
    void onReply(std::vector<zmq::message_t>& frames);
    void onReady(const std::string& identity, const nlohmann::json& body, const std::string& peer);
    void removeWorker(const std::string& identity);
    bool dispatch(const std::string& service, Pending& pending);
    void drainQueue(const std::string& service);
    void sweep();
    void answerError(const zmq::message_t& client, const std::string& requestId, const std::string& service,
                     int status, int httpStatus, const std::string& code, const std::string& message);
    void sendToWorker(const std::string& identity, const nlohmann::json& header);
    void drop(const char* why);
    void updateStats(const std::string& service, const std::function<void(ServiceStats&)>& change);

    zmq::context_t& context_;
    Options options_;
    zmq::socket_t router_;
    std::vector<std::string> bound_;
    std::thread thread_;
    std::unordered_map<std::string, Worker> workers_;
    std::map<std::string, std::vector<std::string>> offers_; // service -> worker identities
    std::map<std::string, std::size_t> nextWorker_;          // round-robin position per service
    std::map<std::string, std::deque<Pending>> queues_;
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<std::uint64_t> refusedOffers_{0};
    /// A worker offers a module's services, a few dozen at most; the broker keeps at most this
    /// many names in all.
    static constexpr std::size_t kMaxServicesPerWorker = 1000;
    static constexpr std::size_t kMaxServices = 10000;
    mutable std::mutex statsMutex_;
    std::map<std::string, ServiceStats> stats_;
    ServiceStats unoffered_;
};

} // namespace anchang
