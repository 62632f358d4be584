#pragma once
/// anchang::ReadAheadSocket — a client connection whose bytes the reactor reads ahead of Poco.
///
/// A slow client (one header byte every two seconds) used to hold a worker thread for every
/// read, each with its own ten-second timeout: 70 of them stopped /api/v1/health. Now the
/// reactor reads what arrives without blocking into this socket's buffer and hands the
/// connection to a worker only once a whole request is there (RequestFraming). Poco's HTTP
/// session then reads through receiveBytes(), which serves the buffered bytes first, so parsing
/// a request never waits on the network.

#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/StreamSocketImpl.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace anchang {

class ReadAheadSocket : public Poco::Net::StreamSocketImpl {
public:
    using Clock = std::chrono::steady_clock;
    enum class Fill { Read, Nothing, Closed };

    /// Takes ownership of an accepted socket's descriptor.
    explicit ReadAheadSocket(poco_socket_t fd);

    /// The connection's read-ahead socket; every connection the reactor accepted has one.
    static ReadAheadSocket& of(const Poco::Net::StreamSocket& socket);

    /// Reads what the kernel holds, without blocking, up to `limit` buffered bytes in all.
    Fill fill(std::size_t limit);
    /// Whether the last read found the kernel's buffer empty (a short read, or nothing to read):
    /// then no byte waits unseen, and the next one to arrive wakes the reactor. False after the
    /// read stopped at its limit, or after Poco read the connection itself (a body it streamed).
    bool drained() const { return drained_; }
    /// Bytes read ahead and not yet consumed.
    std::string_view pending() const { return std::string_view(ahead_).substr(consumed_); }
    /// Drops the first `count` pending bytes: a request taken whole (BufferedRequest).
    void consume(std::size_t count) { consumed_ = std::min(ahead_.size(), consumed_ + count); }
    /// After a request was answered: puts the bytes Poco buffered past it back in front of the
    /// pending ones, and starts the next request's clock.
    void nextRequest(std::string_view unparsed);
    /// When the first byte of the request now pending arrived.
    Clock::time_point requestStarted() const { return requestStarted_; }
    /// Whether "100 Continue" was already sent for the pending request.
    bool continued() const { return continued_; }
    void setContinued(bool sent) { continued_ = sent; }
    /// Writes what the kernel takes at once: for the reactor's own short answers (100, 408, 431).
    void sendNow(std::string_view bytes);
    /// Writes all of `bytes`, waiting at most `patience` in all for room (a small answer to a
    /// client that waits for it never waits); false when the client would not take them in that
    /// time: the connection is then beyond saving.
    bool sendAll(std::string_view bytes, std::chrono::milliseconds patience);
    /// The pending request's clock starts now (a connection back from waiting for an answer).
    void restartClock() { requestStarted_ = Clock::now(); }

    int receiveBytes(void* buffer, int length, int flags = 0) override;

    // Poco asks for both addresses and sets both timeouts on every request (each HTTP session
    // and request object does): four system calls a request that cannot change the answer on
    // a connection that is already accepted. Asked once here, set only when they change.
    Poco::Net::SocketAddress address() override;
    Poco::Net::SocketAddress peerAddress() override;
    void setSendTimeout(const Poco::Timespan& timeout) override;
    void setReceiveTimeout(const Poco::Timespan& timeout) override;

private:
    void compact();

    std::string ahead_;
    std::size_t consumed_ = 0;
    Clock::time_point requestStarted_{};
    bool continued_ = false;
    bool drained_ = true;
    std::optional<Poco::Net::SocketAddress> address_, peerAddress_;
    std::optional<Poco::Timespan> sendTimeout_, receiveTimeout_;
};

} // namespace anchang
