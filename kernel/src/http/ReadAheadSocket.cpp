#include "http/ReadAheadSocket.h"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>

namespace anchang {

ReadAheadSocket::ReadAheadSocket(poco_socket_t fd) : Poco::Net::StreamSocketImpl(fd) {}

ReadAheadSocket& ReadAheadSocket::of(const Poco::Net::StreamSocket& socket) {
    return *static_cast<ReadAheadSocket*>(socket.impl());
}

void ReadAheadSocket::compact() {
    if (consumed_ == 0) return;
    ahead_.erase(0, consumed_);
    consumed_ = 0;
}

ReadAheadSocket::Fill ReadAheadSocket::fill(std::size_t limit) {
    compact();
    const bool wasEmpty = ahead_.empty();
    bool read = false;
    char chunk[16384];
    drained_ = false; // until a read finds the kernel's buffer empty
    while (ahead_.size() < limit) {
        const auto room = std::min(sizeof chunk, limit - ahead_.size());
        const ssize_t n = ::recv(sockfd(), chunk, room, MSG_DONTWAIT);
        if (n > 0) {
            ahead_.append(chunk, static_cast<std::size_t>(n));
            read = true;
            if (static_cast<std::size_t>(n) < room) {
                drained_ = true; // the kernel had no more
                break;
            }
            continue;
        }
        if (n == 0) return Fill::Closed;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            drained_ = true;
            break;
        }
        return Fill::Closed; // reset
    }
    if (read && wasEmpty) {
        requestStarted_ = Clock::now();
        continued_ = false;
    }
    return read ? Fill::Read : Fill::Nothing;
}

void ReadAheadSocket::nextRequest(std::string_view unparsed) {
    compact();
    ahead_.insert(0, unparsed);
    requestStarted_ = Clock::now();
    continued_ = false;
}

void ReadAheadSocket::sendNow(std::string_view bytes) {
    (void)::send(sockfd(), bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

bool ReadAheadSocket::sendAll(std::string_view bytes, std::chrono::milliseconds patience) {
    const auto until = Clock::now() + patience;
    while (!bytes.empty()) {
        const ssize_t n = ::send(sockfd(), bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) return false;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
        pollfd entry{sockfd(), POLLOUT, 0};
        if (left <= 0 || ::poll(&entry, 1, static_cast<int>(left)) <= 0) return false;
    }
    return true;
}

int ReadAheadSocket::receiveBytes(void* buffer, int length, int flags) {
    if (consumed_ < ahead_.size() && length > 0 && !(flags & MSG_PEEK)) {
        const auto n = std::min(static_cast<std::size_t>(length), ahead_.size() - consumed_);
        std::memcpy(buffer, ahead_.data() + consumed_, n);
        consumed_ += n;
        if (consumed_ == ahead_.size()) {
            ahead_.clear();
            consumed_ = 0;
        }
        return static_cast<int>(n);
    }
    // Poco reads the connection itself (a body it streams): what it left in the kernel is
    // unknown, and only a read of the reactor's own can tell.
    drained_ = false;
    return Poco::Net::StreamSocketImpl::receiveBytes(buffer, length, flags);
}

Poco::Net::SocketAddress ReadAheadSocket::address() {
    if (!address_) address_ = StreamSocketImpl::address();
    return *address_;
}

Poco::Net::SocketAddress ReadAheadSocket::peerAddress() {
    if (!peerAddress_) peerAddress_ = StreamSocketImpl::peerAddress();
    return *peerAddress_;
}

void ReadAheadSocket::setSendTimeout(const Poco::Timespan& timeout) {
    if (sendTimeout_ == timeout) return;
    StreamSocketImpl::setSendTimeout(timeout);
    sendTimeout_ = timeout;
}

void ReadAheadSocket::setReceiveTimeout(const Poco::Timespan& timeout) {
    if (receiveTimeout_ == timeout) return;
    StreamSocketImpl::setReceiveTimeout(timeout);
    receiveTimeout_ = timeout;
}

} // namespace anchang
