#include "http/ConnectionReactor.h"

#include "http/RequestFraming.h"

#include <Poco/Logger.h>
#include <Poco/Net/NetException.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <sys/socket.h>
#include <vector>

namespace anchang {

ConnectionReactor::ConnectionReactor(Poco::Net::ServerSocket listener, Dispatch dispatch, Options options)
    : listener_(std::move(listener)), dispatch_(std::move(dispatch)), options_(options) {}

ConnectionReactor::~ConnectionReactor() { stop(); }

void ConnectionReactor::start() {
    listener_.setBlocking(false);
    pollSet_.add(listener_, Poco::Net::PollSet::POLL_READ);
    thread_ = std::thread([this] { run(); });
}

void ConnectionReactor::stop() {
    if (stopping_.exchange(true)) {
        if (thread_.joinable()) thread_.join();
        return;
    }
    // Poco 1.11's PollSet cannot be woken: a connection to our own listener ends the poll now
    // instead of after its timeout (every stop, and so every test kernel, waited for it).
    try {
        const auto address = listener_.address();
        Poco::Net::StreamSocket wake;
        wake.connect(Poco::Net::SocketAddress(address.host().isWildcard() ? Poco::Net::IPAddress("127.0.0.1") : address.host(), address.port()),
                     Poco::Timespan(0, 100000));
    } catch (const Poco::Exception&) {
        // The poll ends at its timeout instead.
    }
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mutex_);
    for (auto& [impl, entry] : parked_) {
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

void ConnectionReactor::park(const Poco::Net::StreamSocket& socket) {
    std::lock_guard lock(mutex_);
    if (stopping_) {
        Poco::Net::StreamSocket(socket).close();
        return;
    }
    parked_[socket.impl()] = {socket, Clock::now()};
    idleCount_ = parked_.size();
    pollSet_.add(socket, Poco::Net::PollSet::POLL_READ);
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
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (parked_.size() >= options_.maxIdle) {
                // Leave the rest in the backlog and stop watching the listener until some idle
                // connections are gone; accepting them now could only mean closing them.
                if (listening_) pollSet_.remove(listener_);
                listening_ = false;
                return;
            }
        }
        const int fd = ::accept4(listener_.impl()->sockfd(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                Poco::Logger::get("http").warning("accept failed: %s", std::string(std::strerror(errno)));
            return;
        }
        Poco::Net::StreamSocket socket(new ReadAheadSocket(fd));
        accepted_.fetch_add(1, std::memory_order_relaxed);
        socket.setBlocking(true);
        socket.setNoDelay(true);
        // A new connection waits for its first request like an idle one does.
        park(socket);
    }
}

void ConnectionReactor::sweep(Clock::time_point now) {
    std::vector<Poco::Net::StreamSocket> expired;
    std::vector<Poco::Net::StreamSocket> late;
    {
        std::lock_guard lock(mutex_);
        for (auto it = parked_.begin(); it != parked_.end();) {
            auto& connection = ReadAheadSocket::of(it->second.socket);
            const bool partial = !connection.pending().empty();
            if (partial ? now - connection.requestStarted() >= options_.requestTimeout : now - it->second.since >= options_.idleTimeout) {
                (partial ? late : expired).push_back(it->second.socket);
                pollSet_.remove(it->second.socket);
                it = parked_.erase(it);
            } else {
                ++it;
            }
        }
        idleCount_ = parked_.size();
        if (!listening_ && parked_.size() < options_.maxIdle) {
            pollSet_.add(listener_, Poco::Net::PollSet::POLL_READ);
            listening_ = true;
        }
    }
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
}

void ConnectionReactor::run() {
    auto nextSweep = Clock::now() + std::chrono::seconds(1);
    while (!stopping_) {
        Poco::Net::PollSet::SocketModeMap ready;
        try {
            ready = pollSet_.poll(Poco::Timespan(0, 250000));
        } catch (const Poco::Exception& e) {
            Poco::Logger::get("http").error("connection reactor: %s", e.displayText());
            continue;
        }
        for (auto& [socket, mode] : ready) {
            if (socket == listener_) {
                acceptAll();
                continue;
            }
            Poco::Net::StreamSocket stream;
            {
                std::lock_guard lock(mutex_);
                auto it = parked_.find(socket.impl());
                if (it == parked_.end()) continue;
                stream = it->second.socket;
                pollSet_.remove(stream);
                parked_.erase(it);
                idleCount_ = parked_.size();
            }
            // Readable: (more of) a request, or the peer closing. A worker tells which.
            dispatch_(stream);
        }
        const auto now = Clock::now();
        if (now >= nextSweep) {
            sweep(now);
            nextSweep = now + std::chrono::seconds(1);
        }
    }
}

} // namespace anchang
