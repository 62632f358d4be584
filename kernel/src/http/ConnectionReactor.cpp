#include "http/ConnectionReactor.h"

#include <Poco/Logger.h>
#include <Poco/Net/NetException.h>

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
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mutex_);
    for (auto& [impl, entry] : parked_) {
        try {
            entry.first.close();
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
        Poco::Net::StreamSocket socket;
        try {
            socket = listener_.acceptConnection();
        } catch (const Poco::Net::NetException&) {
            return; // EAGAIN: nothing left to accept
        } catch (const Poco::IOException&) {
            return;
        }
        accepted_.fetch_add(1, std::memory_order_relaxed);
        socket.setBlocking(true);
        socket.setNoDelay(true);
        // A new connection waits for its first request like an idle one does.
        park(socket);
    }
}

void ConnectionReactor::sweep(Clock::time_point now) {
    std::vector<Poco::Net::StreamSocket> expired;
    {
        std::lock_guard lock(mutex_);
        for (auto it = parked_.begin(); it != parked_.end();) {
            if (now - it->second.second >= options_.idleTimeout) {
                expired.push_back(it->second.first);
                pollSet_.remove(it->second.first);
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
                stream = it->second.first;
                pollSet_.remove(stream);
                parked_.erase(it);
                idleCount_ = parked_.size();
            }
            // Readable: a request, or the peer closing. The worker tells them apart.
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
