#include "http/ConnectionReactor.h"

#include <Poco/Logger.h>
#include <Poco/Net/NetException.h>

#include <algorithm>
#include <array>
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

/// The listener: one wake-up at a time, re-armed after its backlog is accepted.
constexpr std::uint32_t kOneReadable = EPOLLIN | EPOLLONESHOT;
/// A connection: every arrival of bytes, once each (edge-triggered), for its whole life.
constexpr std::uint32_t kEveryArrival = EPOLLIN | EPOLLET;

/// What an event carries: the descriptor, and which accept of it (0 for the reactor's own).
std::uint64_t eventData(int fd, std::uint32_t generation) { return (std::uint64_t{generation} << 32) | static_cast<std::uint32_t>(fd); }

/// Arms the listener for one wake-up; the first time, adds it to the set.
void arm(int epoll, int fd) {
    epoll_event event{};
    event.events = kOneReadable;
    event.data.u64 = eventData(fd, 0);
    if (::epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event) == 0) return;
    if (errno == ENOENT && ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0) return;
    Poco::Logger::get("http").warning("cannot watch the listener: %s", std::string(std::strerror(errno)));
}

/// Events taken by one wait: under a crowd, one wait for many requests.
constexpr int kBatch = 32;

/// Adds one of the reactor's own descriptors, level-triggered: readable wakes a worker until read.
void addLevel(int epoll, int fd) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = eventData(fd, 0);
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
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
    if (doorbell_ >= 0) ::close(doorbell_);
}

void ConnectionReactor::start() {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    stopEvent_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    doorbell_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (epoll_ < 0 || stopEvent_ < 0 || doorbell_ < 0)
        throw std::runtime_error(std::string("cannot watch connections: ") + std::strerror(errno));
    // Never read: once written, every worker's wait returns at once.
    addLevel(epoll_, stopEvent_);
    addLevel(epoll_, doorbell_);
    listener_.setBlocking(false);
    arm(epoll_, listener_.impl()->sockfd());
    nextSweep_ = ticks(Clock::now() + std::chrono::seconds(1));
    const int cores = static_cast<int>(std::thread::hardware_concurrency());
    listenerCap_ = std::clamp(options_.listeners > 0 ? options_.listeners : std::max(2, cores), 1, std::max(1, options_.workers));
    watched_ = options_.workers > listenerCap_; // else no spares to call, and nothing to watch for
    for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this] { work(); });
    if (watched_) sentinel_ = std::thread([this] { watch(); });
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
    for (auto& [fd, entry] : connections_) {
        if (!entry.parked) continue; // its holder closes it when it parks it
        try {
            entry.socket.close();
        } catch (...) {
        }
    }
    for (auto& socket : ready_) {
        try {
            socket.close();
        } catch (...) {
        }
    }
    connections_.clear();
    ready_.clear();
    readyCount_ = 0;
    parked_ = 0;
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

bool ConnectionReactor::park(const Poco::Net::StreamSocket& socket) {
    std::lock_guard lock(mutex_);
    return parkLocked(socket);
}

bool ConnectionReactor::parkLocked(const Poco::Net::StreamSocket& socket) {
    if (stopping_) {
        Poco::Net::StreamSocket(socket).close();
        return true;
    }
    const int fd = socket.impl()->sockfd();
    auto it = connections_.find(fd);
    if (it == connections_.end()) {
        // Not the reactor's (released): nothing watches it, so nothing may wait on it here.
        Poco::Logger::get("http").warning("a connection parked that the reactor let go: closed");
        Poco::Net::StreamSocket(socket).close();
        return true;
    }
    auto& entry = it->second;
    // Bytes that arrived since the last read woke someone who found the connection held, or
    // the last read stopped before the kernel's buffer was empty: either way no arrival is
    // coming to say so, so the holder reads again instead.
    if (entry.missed || !ReadAheadSocket::of(socket).drained()) {
        entry.missed = false;
        return false;
    }
    entry.socket = socket;
    entry.since = Clock::now();
    entry.parked = true;
    ++parked_;
    return true;
}

void ConnectionReactor::resume(const Poco::Net::StreamSocket& socket) {
    // A pipelined request waited for the answer before it: its time starts now.
    ReadAheadSocket::of(socket).restartClock();
    {
        std::lock_guard lock(mutex_);
        if ((stopping_ || !ready(socket)) && parkLocked(socket)) return;
        // The next request is here, or bytes may be: the next worker takes it. Not this
        // thread, which answered for others (the writer of a whole batch) and must go on.
        ready_.push_back(socket);
        readyCount_ = ready_.size();
    }
    ring();
}

void ConnectionReactor::ring() {
    const std::uint64_t one = 1;
    if (::write(doorbell_, &one, sizeof one) < 0)
        Poco::Logger::get("http").warning("cannot wake a worker: %s", std::string(std::strerror(errno)));
}

std::optional<Poco::Net::StreamSocket> ConnectionReactor::takeReady() {
    if (readyCount_.load(std::memory_order_relaxed) == 0) return std::nullopt;
    std::optional<Poco::Net::StreamSocket> socket;
    {
        std::lock_guard lock(mutex_);
        if (ready_.empty()) return std::nullopt;
        socket = std::move(ready_.front());
        ready_.pop_front();
        readyCount_ = ready_.size();
    }
    readyTaken_.fetch_add(1, std::memory_order_relaxed);
    return socket;
}

void ConnectionReactor::addReady(std::vector<Poco::Net::StreamSocket>& sockets) {
    {
        std::lock_guard lock(mutex_);
        for (auto& socket : sockets) {
            if (stopping_) socket.close(); // stop() closed the ready already
            else ready_.push_back(std::move(socket));
        }
        readyCount_ = ready_.size();
    }
    sockets.clear();
    // Without spares there is no sentinel to watch them: a worker asleep on the set is woken
    // now. With one, it wakes a worker only if nobody takes them soon (a slow handler held
    // the worker that took the batch), sparing a system call a batch under a crowd.
    if (!watched_) {
        if (listenersNow_.load() > 0) ring();
    } else if (sentinelIdle_.load()) {
        std::lock_guard lock(spareMutex_);
        sentinelWake_.notify_one();
    }
}

void ConnectionReactor::release(const Poco::Net::StreamSocket& socket) {
    const int fd = socket.impl()->sockfd();
    {
        std::lock_guard lock(mutex_);
        connections_.erase(fd);
    }
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
}

bool ConnectionReactor::servable(const RequestFraming::Result& framing) {
    return framing.state == RequestFraming::State::Complete || framing.state == RequestFraming::State::Oversized;
}

bool ConnectionReactor::ready(const Poco::Net::StreamSocket& socket) const {
    return servable(RequestFraming::scan(ReadAheadSocket::of(socket).pending(), options_.maxHeadBytes, options_.maxBodyBytes));
}

ConnectionReactor::Admission ConnectionReactor::admit(Poco::Net::StreamSocket& socket, RequestFraming::Result& framing) const {
    auto& connection = ReadAheadSocket::of(socket);
    if (connection.fill(fillLimit()) == ReadAheadSocket::Fill::Closed) return Admission::Closed;
    framing = RequestFraming::scan(connection.pending(), options_.maxHeadBytes, options_.maxBodyBytes);
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
            if (parked_ >= options_.maxIdle) {
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
        // A new connection waits for its first request like an idle one does. In the map
        // before it is in the set: the worker woken for it must find it there. A descriptor
        // reused from a closed connection replaces what is left of that one.
        std::uint32_t generation;
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
            if (++generations_ == 0) ++generations_; // 0 is the reactor's own descriptors'
            generation = generations_;
            auto& entry = connections_[fd];
            if (entry.parked) --parked_;
            entry = Entry{socket, Clock::now(), generation, true, false};
            ++parked_;
        }
        // Bytes that came with the connection are reported at once.
        epoll_event event{};
        event.events = kEveryArrival;
        event.data.u64 = eventData(fd, generation);
        if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event) != 0) {
            Poco::Logger::get("http").warning("cannot watch a connection: %s", std::string(std::strerror(errno)));
            std::lock_guard lock(mutex_);
            if (auto it = connections_.find(fd); it != connections_.end() && it->second.generation == generation) {
                if (it->second.parked) --parked_;
                connections_.erase(it);
            }
            socket.close();
        }
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
        for (auto it = connections_.begin(); it != connections_.end();) {
            if (!it->second.parked) {
                ++it;
                continue;
            }
            auto& connection = ReadAheadSocket::of(it->second.socket);
            const bool partial = !connection.pending().empty();
            if (partial ? now - connection.requestStarted() >= options_.requestTimeout : now - it->second.since >= options_.idleTimeout) {
                // Out of the map, it is nobody's but ours: a worker woken for it finds nothing.
                (partial ? late : expired).push_back(it->second.socket);
                it = connections_.erase(it);
                --parked_;
            } else {
                ++it;
            }
        }
        if (!listening_ && parked_ < options_.maxIdle) listening_ = resume = true;
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
        // The same holds for connections left ready: addReady() reads the flag after adding.
        sentinelIdle_.store(true);
        const bool nobodyListens = listenersNow_.load() == 0;
        const bool readyWait = readyCount_.load() > 0;
        if (!nobodyListens && !readyWait) {
            sentinelWake_.wait(lock);
            sentinelIdle_.store(false);
            continue;
        }
        sentinelIdle_.store(false);
        // Nobody listens: the workers are serving. If none of them comes back within
        // `spareAfter`, they are held by something slow: call a spare in, and one more every
        // `spareAfter` for as long as that lasts. A crowd of quick requests, where the count
        // touches zero between two of them, calls nobody. Likewise connections left ready
        // behind a worker that took a batch: if nobody takes one within `spareAfter` while
        // workers sleep on the set, the doorbell wakes one.
        const auto listened = listens_.load();
        const auto taken = readyTaken_.load();
        const auto deadline = Clock::now() + options_.spareAfter;
        sentinelWake_.wait_until(lock, deadline, [this] { return stopping_.load(); });
        if (stopping_) break;
        if (readyWait && readyCount_.load() > 0 && readyTaken_.load() == taken && listenersNow_.load() > 0) {
            lock.unlock();
            ring();
            lock.lock();
        }
        if (nobodyListens && listens_.load() == listened && spares_ > called_) {
            ++called_;
            sparesCalled_.fetch_add(1, std::memory_order_relaxed);
            spareWake_.notify_one();
        }
    }
}

void ConnectionReactor::listen() {
    const int listener = listener_.impl()->sockfd();
    listens_.fetch_add(1, std::memory_order_relaxed); // back for more: the sentinel's sign of life
    // Work already taken comes first: a worker back from a request finds the rest of a batch
    // here without a system call.
    auto stream = takeReady();
    std::array<epoll_event, kBatch> events{};
    int n = 0;
    if (!stream) {
        // Woken by work, by stop(), by the doorbell, or once a second for the sweep.
        n = ::epoll_wait(epoll_, events.data(), kBatch, 1000);
    }
    if (listenersNow_.fetch_sub(1) == 1 && sentinelIdle_.load()) {
        std::lock_guard lock(spareMutex_);
        sentinelWake_.notify_one();
    }
    // Once a second one worker closes what timed out.
    const auto now = Clock::now();
    auto due = nextSweep_.load(std::memory_order_relaxed);
    if (ticks(now) >= due && nextSweep_.compare_exchange_strong(due, ticks(now + std::chrono::seconds(1)))) sweep(now);
    // Under a crowd one wait returns many connections: this worker serves the first, and the
    // others wait as ready for the first worker free (this one, once done, or another).
    std::vector<Poco::Net::StreamSocket> taken;
    bool rung = false;
    for (int i = 0; i < n; ++i) {
        const int fd = static_cast<int>(events[i].data.u64 & 0xffffffffu);
        if (fd == listener) {
            acceptAll();
        } else if (fd == doorbell_) {
            std::uint64_t count = 0;
            rung = ::read(doorbell_, &count, sizeof count) == sizeof count;
        } else if (fd != stopEvent_) {
            if (auto connection = take(fd, static_cast<std::uint32_t>(events[i].data.u64 >> 32))) taken.push_back(std::move(*connection));
        }
    }
    if (!stream && !taken.empty()) {
        stream = std::move(taken.front());
        taken.erase(taken.begin());
    }
    if (!taken.empty()) addReady(taken);
    if (rung) {
        if (!stream) stream = takeReady();
        // The bell was for the ready, and one read silences however many rang it: pass it on
        // while more wait and someone sleeps on the set.
        if (readyCount_.load() > 0 && listenersNow_.load() > 0) ring();
    }
    if (stopping_) {
        // stop() closed the parked and the ready; this one is held here.
        if (stream) stream->close();
        return;
    }
    if (stream) serve(*stream);
}

std::optional<Poco::Net::StreamSocket> ConnectionReactor::take(int fd, std::uint32_t generation) {
    std::lock_guard lock(mutex_);
    auto it = connections_.find(fd);
    // Gone (the sweep closed it), or the descriptor is a newer connection's now, which wakes a
    // worker of its own.
    if (it == connections_.end() || it->second.generation != generation) return std::nullopt;
    auto& entry = it->second;
    if (!entry.parked) {
        // Someone holds it: they read again before they park it.
        entry.missed = true;
        return std::nullopt;
    }
    entry.parked = false;
    --parked_;
    return std::move(entry.socket);
}

void ConnectionReactor::serve(Poco::Net::StreamSocket& stream) {
    // Readable: (more of) a request, or the peer closing. serve_() tells which.
    busy_.fetch_add(1, std::memory_order_relaxed);
    try {
        serve_(stream);
    } catch (const std::exception& e) {
        Poco::Logger::get("http").error("connection dropped: %s", std::string(e.what()));
    }
    busy_.fetch_sub(1, std::memory_order_relaxed);
}

} // namespace anchang
