#pragma once
/// anchang::BusClient — publish and request from any kernel or plugin thread.
///
/// ZeroMQ sockets belong to one thread at a time. Instead of a socket per thread (which would
/// outlive the context when a pool thread exits), the client keeps small pools of PUSH and
/// DEALER sockets; a caller borrows one for the duration of a call. The pool's mutex is the
/// memory barrier that makes handing a socket to another thread legal.

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace anchang {

class BusClient {
public:
    struct Reply {
        int status = 0;   ///< anchang_status: 0 or an error
        std::string body; ///< reply body, or {"code","message","status"} on error
    };

    BusClient(zmq::context_t& context, std::string publishEndpoint, std::string requestEndpoint);
    ~BusClient();

    /// Publishes an event. Returns false when the bus is shutting down or overloaded.
    bool publish(const std::string& topic, const std::string& source, std::int64_t project, std::string_view body);
    /// Sends already-built event frames (the subscription sync uses it).
    bool publishRaw(const std::string& topic, const nlohmann::json& header, std::string_view body);

    /// Sends a request and waits for its reply until `timeout`. The header carries the user
    /// this thread acts for (ActingUser) and `extra` fields (the kernel's own, such as tx).
    Reply request(const std::string& service, const std::string& source, std::int64_t project, std::string_view body,
                  std::chrono::milliseconds timeout, const nlohmann::json& extra = nlohmann::json::object());

    /// Sends every request at once (`bodies[i]` to `services[i]`) and waits for all replies
    /// until `timeout`: an extension point asks its contributors in parallel. Replies come back
    /// in the order of `services`.
    std::vector<Reply> requestAll(const std::vector<std::string>& services, const std::string& source, std::int64_t project,
                                  const std::vector<std::string>& bodies, std::chrono::milliseconds timeout,
                                  const nlohmann::json& extra = nlohmann::json::object());

    /// Closes every pooled socket. Calls after close fail with bus.stopped.
    void close();

private:
    struct Pool {
        std::mutex mutex;
        std::vector<std::unique_ptr<zmq::socket_t>> idle;
    };
    std::unique_ptr<zmq::socket_t> borrow(Pool& pool, zmq::socket_type type, const std::string& endpoint);
    void giveBack(Pool& pool, std::unique_ptr<zmq::socket_t> socket);

    zmq::context_t& context_;
    std::string publishEndpoint_;
    std::string requestEndpoint_;
    Pool pushPool_;
    Pool dealerPool_;
    std::mutex stateMutex_;
    bool closed_ = false;
};

} // namespace anchang
