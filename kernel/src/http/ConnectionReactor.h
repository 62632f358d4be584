#pragma once
/// anchang::ConnectionReactor — accepts connections and keeps idle keep-alive connections off
/// the worker threads.
///
/// Poco's HTTPServer gives each connection a thread for its whole life, so 10,000 buyers with
/// an open keep-alive connection would need 10,000 threads or starve everyone else. Here a
/// connection holds a worker thread only while a request is being read and answered; between
/// requests it sits in one epoll set (Poco::Net::PollSet) watched by this one thread, which
/// hands it back to the worker pool as soon as the next request arrives. docs/http.md has the
/// numbers.

#include <Poco/Net/PollSet.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

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
        /// Above this many idle connections, new connections wait in the listen backlog.
        std::size_t maxIdle = 50000;
    };

    ConnectionReactor(Poco::Net::ServerSocket listener, Dispatch dispatch, Options options);
    ~ConnectionReactor();

    void start();
    /// Stops accepting and closes every idle connection. Connections being served are not
    /// touched; park() closes them afterwards.
    void stop();

    /// Takes back a connection whose request was answered and that may send another.
    void park(const Poco::Net::StreamSocket& socket);

    std::size_t idle() const { return idleCount_.load(); }
    std::uint64_t accepted() const { return accepted_.load(); }

private:
    using Clock = std::chrono::steady_clock;
    void run();
    void acceptAll();
    void sweep(Clock::time_point now);

    Poco::Net::ServerSocket listener_;
    Dispatch dispatch_;
    Options options_;
    Poco::Net::PollSet pollSet_;
    std::mutex mutex_;
    std::unordered_map<Poco::Net::SocketImpl*, std::pair<Poco::Net::StreamSocket, Clock::time_point>> parked_;
    std::atomic<std::size_t> idleCount_{0};
    std::atomic<std::uint64_t> accepted_{0};
    std::atomic<bool> stopping_{false};
    bool listening_ = true;
    std::thread thread_;
};

} // namespace anchang
