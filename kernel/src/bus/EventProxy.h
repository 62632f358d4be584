#pragma once
/// anchang::EventProxy — the event half of the bus: an XSUB/XPUB proxy with a capture socket.
///
/// Out-of-process publishers connect PUB sockets to the XSUB side; every subscriber connects a
/// SUB socket to the XPUB side. In-process publishers push to a PULL socket instead of
/// publishing: a PUB socket drops whatever it sends before its subscriptions have arrived, and
/// a kernel thread that publishes once must not lose that event. Frames from outside are
/// checked (docs/bus.md); malformed ones are dropped and counted, never forwarded. Every
/// forwarded event is copied to the capture socket that feeds the bus monitor.

#include <zmq.hpp>

#include <atomic>
#include <functional>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace anchang {

class EventProxy {
public:
    struct Endpoints {
        std::vector<std::string> publish;   ///< XSUB binds: external PUB sockets connect here
        std::vector<std::string> subscribe; ///< XPUB binds: every SUB socket connects here
        std::string internal;               ///< PULL bind: in-process publishers push here
        std::string capture;                ///< PUB bind: the bus monitor subscribes here
        /// tcp peers must authenticate (BusCredentials); inproc ones never do.
        bool authenticate = false;
        /// Whether the out-of-process client `peer` declared `topic` in its approved manifest,
        /// and so may publish it; none may when unset.
        std::function<bool(const std::string& peer, const std::string& topic)> mayPublish;
    };

    EventProxy(zmq::context_t& context, Endpoints endpoints);
    ~EventProxy();

    /// Binds every endpoint (throws on a port in use) and starts the proxy thread.
    void start();
    /// Returns after the context was shut down and the thread ended.
    void join();

    /// Endpoints as bound, with the ports chosen for "*".
    const std::vector<std::string>& boundPublish() const { return boundPublish_; }
    const std::vector<std::string>& boundSubscribe() const { return boundSubscribe_; }

    /// The largest frame an external peer may send; more closes its connection.
    static constexpr std::int64_t kMaxExternalMessage = 8 << 20;

    std::uint64_t forwarded() const { return forwarded_.load(); }
    std::uint64_t dropped() const { return dropped_.load(); }

private:
    void run();
    bool valid(const std::vector<zmq::message_t>& frames) const;
    void forward(std::vector<zmq::message_t>& frames);

    zmq::context_t& context_;
    Endpoints endpoints_;
    zmq::socket_t xsub_;
    zmq::socket_t xpub_;
    zmq::socket_t pull_;
    zmq::socket_t capture_;
    std::vector<std::string> boundPublish_;
    std::vector<std::string> boundSubscribe_;
    std::thread thread_;
    std::atomic<std::uint64_t> forwarded_{0};
    std::atomic<std::uint64_t> dropped_{0};
};

} // namespace anchang
