#pragma once
/// anchang::PushHub — pushes plugin events to browsers as server-sent events.
///
/// A browser opens GET /api/v1/projects/{project}/events?topics=registration.assigned and
/// keeps the response open. After the headers are written, the connection leaves the HTTP
/// worker pool and joins this hub, which holds every stream on one thread: a consultant's
/// notification page or a big-screen board costs a socket, not a thread.
///
/// Plugins push by publishing on the bus a topic `push.<plugin>.<event>` (declared in their
/// manifest) with the body {"audience": {"users": [ids]} | {"permission": "..."}, "data": {...}}.
/// The hub sends `data` to every stream of that project that asked for the event and whose user
/// is in the audience. A slow reader that falls 256 KiB behind is disconnected (browsers
/// reconnect by themselves); a comment line every 15 s keeps proxies from closing idle streams.

#include "auth/Principal.h"

#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace anchang {

class Bus;

class PushHub {
public:
    /// Whether `principal` holds `permission` in `project` (the kernel's access policy).
    using Allows = std::function<bool(const Principal& principal, const std::string& permission, std::int64_t project)>;

    PushHub(Bus& bus, Allows allows);
    ~PushHub();

    void start();
    void stop();

    /// Takes over a connection. The hub writes `head` (the HTTP response head and a first
    /// comment) itself, so a client that has read it knows every later event will reach it.
    /// `events` are the event names ("registration.assigned") the stream asked for.
    void attach(Poco::Net::StreamSocket socket, Principal principal, std::int64_t project, std::vector<std::string> events,
                std::string head);

private:
    struct Stream {
        Poco::Net::StreamSocket socket;
        Principal principal;
        std::int64_t project = 0;
        std::vector<std::string> events;
        std::string pending;
    };
    void run();
    void deliver(const std::string& event, std::int64_t project, const std::string& body);
    /// Writes what it can without blocking; false when the stream must be dropped.
    static bool flush(Stream& stream);

    Bus& bus_;
    Allows allows_;
    std::mutex incomingMutex_;
    std::vector<Stream> incoming_;
    std::vector<Stream> streams_; // only the hub thread touches these
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

} // namespace anchang
