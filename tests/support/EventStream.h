#pragma once
// A browser's event stream (GET /api/v1/projects/{project}/events) for tests: opens it, waits
// until the kernel says it is connected, then reads the events pushed to it.

#include <Poco/Net/StreamSocket.h>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace anchang::test {

class EventStream {
public:
    /// Opens the stream of `project` for `topics` ("registration.assigned,registration.queued").
    EventStream(int port, std::int64_t project, const std::string& topics, const std::string& token);

    /// The data of the next event named `event`, or nullopt when none came within five seconds.
    std::optional<nlohmann::json> next(const std::string& event);
    /// Everything received so far, head included.
    const std::string& received() const { return received_; }

private:
    bool readMore();

    Poco::Net::StreamSocket socket_;
    std::string received_;
    std::size_t consumed_ = 0;
};

} // namespace anchang::test
