#pragma once
/// anchang::ConnectionReactor — accepts connections, reads requests as they trickle in, and
/// keeps idle keep-alive connections off the worker threads.
///
/// Poco's HTTPServer gives each connection a thread for its whole life, so 10,000 buyers with
/// an open keep-alive connection would need 10,000 threads or starve everyone else. Here a
/// connection holds a worker thread only while a whole request, already read, is answered.
/// Between requests, and while a request is still arriving, it sits in one epoll set
/// (Poco::Net::PollSet) watched by this one thread. When it becomes readable a worker takes it,
/// reads what arrived without blocking (admit(): ReadAheadSocket, RequestFraming) and serves it
/// if the request is whole, or parks it again at once: a slow sender costs a worker
/// microseconds per byte, never a wait. A request must arrive within `requestTimeout` of its
/// first byte (408 otherwise); an idle connection is closed after `idleTimeout`. docs/http.md
/// has the numbers.

#include "http/ReadAheadSocket.h"

#include <Poco/Net/PollSet.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace anchang {

class ConnectionReactor {
public:
    using Dispatch = std::function<void(const Poco::Net::StreamSocket&)>;

    struct Options {
        /// An idle connection is closed after this long without a request.
        std::chrono::seconds idleTimeout{75};
        /// A request, head and body, must arrive within this long of its first byte.
        std::chrono::seconds requestTimeout{10};
        /// Above this many parked connections, new connections wait in the listen backlog.
        std::size_t maxIdle = 50000;
        /// The largest request head and body; larger ones are answered without waiting for them.
        std::size_t maxHeadBytes = 64 * 1024;
        std::size_t maxBodyBytes = 1 << 20;
    };

    ConnectionReactor(Poco::Net::ServerSocket listener, Dispatch dispatch, Options options);
    ~ConnectionReactor();

    void start();
    /// Stops accepting and closes every parked connection. Connections being served are not
    /// touched; park() closes them afterwards.
    void stop();

    /// Takes back a connection whose request was answered and that may send another, or whose
    /// next request has only partly arrived.
    void park(const Poco::Net::StreamSocket& socket);

    /// What a worker may do with a connection that became readable.
    enum class Admission {
        Serve,  ///< a whole request is there
        Wait,   ///< more is to come: park it
        Closed, ///< the peer left, or its request was refused (431, 400) and the connection closed
    };
    /// Reads what arrived, without blocking, and frames it; answers "100 Continue" to a client
    /// that waits for it and refuses a head too large or framing nobody can read.
    Admission admit(Poco::Net::StreamSocket& socket) const;
    /// Whether the bytes already read hold a whole request (no read).
    bool ready(const Poco::Net::StreamSocket& socket) const;

    std::size_t idle() const { return idleCount_.load(); }
    std::uint64_t accepted() const { return accepted_.load(); }
    /// Requests answered 408 because they did not arrive in time.
    std::uint64_t timedOut() const { return timedOut_.load(); }

private:
    using Clock = std::chrono::steady_clock;
    struct Parked {
        Poco::Net::StreamSocket socket;
        Clock::time_point since;
    };
    void run();
    void acceptAll();
    void sweep(Clock::time_point now);
    /// The reactor's own short answer, then the connection is closed.
    static void refuse(Poco::Net::StreamSocket& socket, int status, const char* reason, const char* code, const char* message);
    std::size_t fillLimit() const { return options_.maxHeadBytes + options_.maxBodyBytes + 65536; }

    Poco::Net::ServerSocket listener_;
    Dispatch dispatch_;
    Options options_;
    Poco::Net::PollSet pollSet_;
    std::mutex mutex_;
    std::unordered_map<Poco::Net::SocketImpl*, Parked> parked_;
    std::atomic<std::size_t> idleCount_{0};
    std::atomic<std::uint64_t> accepted_{0};
    std::atomic<std::uint64_t> timedOut_{0};
    std::atomic<bool> stopping_{false};
    bool listening_ = true;
    std::thread thread_;
};

} // namespace anchang
