#include "support/EventStream.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>

#include <stdexcept>

namespace anchang::test {

EventStream::EventStream(int port, std::int64_t project, const std::string& topics, const std::string& token)
    : socket_(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port))) {
    const std::string request = "GET /api/v1/projects/" + std::to_string(project) + "/events?topics=" + topics + "&access_token=" + token +
                                " HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n";
    socket_.sendBytes(request.data(), static_cast<int>(request.size()));
    socket_.setReceiveTimeout(Poco::Timespan(5, 0));
    while (received_.find(": connected") == std::string::npos)
        if (!readMore()) throw std::runtime_error("the event stream did not open: " + received_);
    consumed_ = received_.find(": connected");
}

bool EventStream::readMore() {
    char buffer[4096];
    try {
        const int n = socket_.receiveBytes(buffer, sizeof buffer);
        if (n <= 0) return false;
        received_.append(buffer, static_cast<std::size_t>(n));
        return true;
    } catch (const Poco::TimeoutException&) {
        return false;
    }
}

std::optional<nlohmann::json> EventStream::next(const std::string& event) {
    const std::string marker = "event: " + event + "\ndata: ";
    for (;;) {
        const auto at = received_.find(marker, consumed_);
        if (at != std::string::npos) {
            const auto end = received_.find("\n\n", at);
            if (end != std::string::npos) {
                consumed_ = end;
                const auto data = at + marker.size();
                return nlohmann::json::parse(received_.substr(data, end - data));
            }
        }
        if (!readMore()) return std::nullopt;
    }
}

} // namespace anchang::test
