#include "http/ConnectionReactor.h"

#include "http/RequestFraming.h"

#include <Poco/Logger.h>
#include <Poco/Net/NetException.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace anchang {

namespace {

constexpr std::uint32_t kOneReadable = EPOLLIN | EPOLLONESHOT;
/// A connected socket with room to write is writable at once: the wake-up for a connection
/// whose next request is already read ahead.
constexpr std::uint32_t kOneNow = EPOLLIN | EPOLLOUT | EPOLLONESHOT;

/// Arms `fd` for one wake-up; the first time, adds it to the set.
void arm(int epoll, int fd, std::uint32_t events = kOneReadable) {
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    if (::epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event) == 0) return;
    if (errno == ENOENT && ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0) return;
    Poco::Logger::get("http").warning("cannot watch a connection: %s", std::string(std::strerror(errno)));
}

std::int64_t ticks(std::chrono::steady_clock::time_point at) { return at.time_since_epoch().count(); }

} // namespace

ConnectionReactor::ConnectionReactor(Poco::Net::ServerSocket listener, Serve serve, Options options)
    : listener_(std::move(listener)), serve_(std::move(serve)), options_(options) {}

ConnectionReactor::~ConnectionReactor() {
    stop();
    join();
    if (epoll_ >= 0) ::close(epoll_);
    if (stopEvent_ >= 0) ::close(stopEvent_);
}

void ConnectionReactor::start() {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    stopEvent_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (epoll_ < 0 || stopEvent_ < 0) throw std::runtime_error(std::string("cannot watch connections: ") + std::strerror(errno));
    // Level-triggered and never read: once written, every worker's wait returns at once.
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = stopEvent_;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, stopEvent_, &event);
    listener_.setBlocking(false);
    arm(epoll_, listener_.impl()->sockfd());
    nextSweep_ = ticks(Clock::now() + std::chrono::seconds(1));
    const int cores = static_cast<int>(std::thread::hardware_concurrency());
    listenerCap_ = std::clamp(options_.listeners > 0 ? options_.listeners : std::max(2, cores), 1, std::max(1, options_.workers));
    for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this] { work(); });
    if (options_.workers > listenerCap_) sentinel_ = std::thread([this] { watch(); }); // else no spares to call
}

void ConnectionReactor::stop() {
    if (stopping_.exchange(true)) return;
    const std::uint64_t one = 1;
    if (stopEvent_ >= 0 && ::write(stopEvent_, &one, sizeof one) < 0)
        Poco::Logger::get("http").warning("cannot wake the workers: %s", std::string(std::strerror(errno)));
    {
        std::lock_guard lock(spareMutex_);
        spareWake_.notify_all();
        sentinelWake_.notify_all();
    }
    std::lock_guard lock(mutex_);
    for (auto& [fd, entry] : parked_) {
        try {
            entry.socket.close();
        } catch (...) {
        }
    }
    parked_.clear();
    idleCount_ = 0;
    try {
        listener_.close();
    } catch (...) {
    }
}

void ConnectionReactor::join() {
    for (auto& thread : threads_)
        if (thread.joinable()) thread.join();
    threads_.clear();
    if (sentinel_.joinable()) sentinel_.join();
}

void ConnectionReactor::park(const Poco::Net::StreamSocket& socket) { park(socket, false); }

void ConnectionReactor::resume(const Poco::Net::StreamSocket& socket) {
    // A pipelined request waited for the answer before it: its time starts now.
    ReadAheadSocket::of(socket).restartClock();
    park(socket, ready(socket));
}

void ConnectionReactor::park(const Poco::Net::StreamSocket& socket, bool wakeNow) {
    const int fd = socket.impl()->sockfd();
    {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            Poco::Net::StreamSocket(socket).close();
            return;
        }
        // In the map before it is armed: the worker that wakes for it must find it there.
        parked_[fd] = {socket, Clock::now()};
        idleCount_ = parked_.size();
    }
    arm(epoll_, fd, wakeNow ? kOneNow : kOneReadable);
}

bool ConnectionReactor::ready(const Poco::Net::StreamSocket& socket) const {
    const auto state = RequestFraming::scan(ReadAheadSocket::of(socket).pending(), options_.maxHeadBytes, options_.maxBodyBytes).state;
    return state == RequestFraming::State::Complete || state == RequestFraming::State::Oversized;
}

ConnectionReactor::Admission ConnectionReactor::admit(Poco::Net::StreamSocket& socket) const {
    auto& connection = ReadAheadSocket::of(socket);
    if (connection.fill(fillLimit()) == ReadAheadSocket::Fill::Closed) return Admission::Closed;
    const auto framing = RequestFraming::scan(connection.pending(), options_.maxHeadBytes, options_.maxBodyBytes);
    switch (framing.state) {
    case RequestFraming::State::Complete:
    case RequestFraming::State::Oversized: return Admission::Serve;
    case RequestFraming::State::HeadTooLarge:
        refuse(socket, 431, "Request Header Fields Too Large", "http.header_too_large", "the request head is too large");
        return Admission::Closed;
    case RequestFraming::State::Malformed:
        refuse(socket, 400, "Bad Request", "http.bad_request", "malformed HTTP request");
        return Admission::Closed;
    case RequestFraming::State::Incomplete: break;
    }
    // A client that waits for "100 Continue" before its body gets it here, or would wait in vain.
    if (framing.headComplete && framing.expectContinue && !connection.continued()) {
        connection.sendNow("HTTP/1.1 100 Continue\r\n\r\n");
        connection.setContinued(true);
    }
    return Admission::Wait;
}

void ConnectionReactor::refuse(Poco::Net::StreamSocket& socket, int status, const char* reason, const char* code, const char* message) {
    const std::string body = std::string(R"({"error":{"code":")") + code + R"(","message":")" + message + R"("}})";
    ReadAheadSocket::of(socket).sendNow("HTTP/1.1 " + std::to_string(status) + " " + reason +
                                        "\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\nContent-Length: " +
                                        std::to_string(body.size()) + "\r\n\r\n" + body);
    try {
        socket.close();
    } catch (...) {
    }
}

void ConnectionReactor::acceptAll() {
    while (!stopping_) {
        {
            std::lock_guard lock(mutex_);
            if (parked_.size() >= options_.maxIdle) {
                // Leave the rest in the backlog and stop watching the listener until some idle
                // connections are gone; accepting them now could only mean closing them.
                listening_ = false;
                return;
            }
        }
        const int fd = ::accept4(listener_.impl()->sockfd(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                Poco::Logger::get("http").warning("accept failed: %s", std::string(std::strerror(errno)));
            return armListener();
        }
        Poco::Net::StreamSocket socket(new ReadAheadSocket(fd));
        accepted_.fetch_add(1, std::memory_order_relaxed);
        try {
            socket.setBlocking(true);
            socket.setNoDelay(true);
            // Each send of an answer to a client that does not read waits this long at most.
            socket.setSendTimeout(Poco::Timespan(options_.requestTimeout.count(), 0));
        } catch (const Poco::Exception& e) {
            // Reset before it was set up: closed when `socket` goes.
            Poco::Logger::get("http").debug("a connection lost while accepted: %s", e.displayText());
            continue;
        }
        // A new connection waits for its first request like an idle one does.
        park(socket);
    }
}

void ConnectionReactor::armListener() {
    if (!stopping_) arm(epoll_, listener_.impl()->sockfd());
}

void ConnectionReactor::sweep(Clock::time_point now) {
    std::vector<Poco::Net::StreamSocket> expired;
    std::vector<Poco::Net::StreamSocket> late;
    bool resume = false;
    {
        std::lock_guard lock(mutex_);
        for (auto it = parked_.begin(); it != parked_.end();) {
            auto& connection = ReadAheadSocket::of(it->second.socket);
            const bool partial = !connection.pending().empty();
            if (partial ? now - connection.requestStarted() >= options_.requestTimeout : now - it->second.since >= options_.idleTimeout) {
                // Out of the map, it is nobody's but ours: a worker woken for it finds nothing.
                (partial ? late : expired).push_back(it->second.socket);
                it = parked_.erase(it);
            } else {
                ++it;
            }
        }
        idleCount_ = parked_.size();
        if (!listening_ && parked_.size() < options_.maxIdle) listening_ = resume = true;
    }
    // Closing a descriptor takes it out of the epoll set.
    for (auto& socket : expired) {
        try {
            socket.close();
        } catch (...) {
        }
    }
    for (auto& socket : late) {
        timedOut_.fetch_add(1, std::memory_order_relaxed);
        refuse(socket, 408, "Request Timeout", "http.request_timeout", "the request did not arrive in time");
    }
    if (resume) armListener();
}

void ConnectionReactor::work() {
    while (!stopping_) {
        int now = listenersNow_.load();
        bool place = false;
        while (!place && now < listenerCap_) place = listenersNow_.compare_exchange_weak(now, now + 1);
        if (!place) {
            if (!waitAsSpare()) return;
            // Called in because nobody listens: this one listens once, whatever the count.
            listenersNow_.fetch_add(1);
        }
        listen();
    }
}

bool ConnectionReactor::waitAsSpare() {
    std::unique_lock lock(spareMutex_);
    ++spares_;
    spareWake_.wait(lock, [this] { return called_ > 0 || stopping_; });
    --spares_;
    if (stopping_) return false;
    --called_;
    return true;
}

void ConnectionReactor::watch() {
    std::unique_lock lock(spareMutex_);
    while (!stopping_) {
        // Asleep for as long as some worker listens. The worker that takes the last listener's
        // place reads this flag after its count went to zero, and the sentinel the count after
        // setting the flag: one of the two sees the other, so the wake-up is never lost.
        sentinelIdle_.store(true);
        if (listenersNow_.load() > 0) {
            sentinelWake_.wait(lock);
            sentinelIdle_.store(false);
            continue;
        }
        sentinelIdle_.store(false);
        // Nobody listens: the workers are serving. If none of them comes back to listen within
        // `spareAfter`, they are held by something slow: call a spare in, and one more every
        // `spareAfter` for as long as that lasts. A crowd of quick requests, where the count
        // touches zero between two of them, calls nobody.
        const auto listened = listens_.load();
        const auto deadline = Clock::now() + options_.spareAfter;
        sentinelWake_.wait_until(lock, deadline, [this] { return stopping_.load(); });
        if (!stopping_ && listens_.load() == listened && spares_ > called_) {
            ++called_;
            sparesCalled_.fetch_add(1, std::memory_order_relaxed);
            spareWake_.notify_one();
        }
    }
}

void ConnectionReactor::listen() {
    const int listener = listener_.impl()->sockfd();
    epoll_event event{};
    listens_.fetch_add(1, std::memory_order_relaxed);
    // Woken by work, by stop(), or once a second for the sweep.
    const int n = ::epoll_wait(epoll_, &event, 1, 1000);
    if (listenersNow_.fetch_sub(1) == 1 && sentinelIdle_.load()) {
        std::lock_guard lock(spareMutex_);
        sentinelWake_.notify_one();
    }
    // Once a second one worker closes what timed out.
    const auto now = Clock::now();
    auto due = nextSweep_.load(std::memory_order_relaxed);
    if (ticks(now) >= due && nextSweep_.compare_exchange_strong(due, ticks(now + std::chrono::seconds(1)))) sweep(now);
    if (n <= 0 || stopping_) return;
    const int fd = event.data.fd;
    if (fd == listener) return acceptAll();
    Poco::Net::StreamSocket stream;
    {
        std::lock_guard lock(mutex_);
        auto it = parked_.find(fd);
        // Gone: the sweep closed it, and the descriptor may already be a new connection's,
        // which then wakes a worker of its own.
        if (it == parked_.end()) return;
        stream = std::move(it->second.socket);
        parked_.erase(it);
        idleCount_ = parked_.size();
    }
    // Readable: (more of) a request, or the peer closing. serve() tells which.
    busy_.fetch_add(1, std::memory_order_relaxed);
    try {
        serve_(stream);
    } catch (const std::exception& e) {
        Poco::Logger::get("http").error("connection dropped: %s", std::string(e.what()));
    }
    busy_.fetch_sub(1, std::memory_order_relaxed);
}

} // namespace anchang
