#pragma once
/// anchang::HttpServer — HTTP/1.1 on the ConnectionReactor's workers, with idle connections
/// parked in the reactor instead of holding a thread each. A request read whole is parsed in
/// memory (BufferedRequest); one whose body may stream (chunked, or over the limit) goes through
/// Poco's session.
///
/// A worker serves requests on a connection while they keep coming (pipelined, or arriving
/// within a short grace period), then parks the connection and moves on. SIGTERM: stop
/// accepting, close idle connections, let in-flight and queued requests finish (bounded by a
/// drain timeout), then end the workers.

#include "http/ConnectionReactor.h"
#include "http/RequestFraming.h"
#include "http/RequestPipeline.h"

#include <Poco/Net/HTTPServerParams.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <shared_mutex>
#include <string>

namespace anchang {

class HttpServer {
public:
    struct Options {
        std::string host = "127.0.0.1";
        int port = 8080; ///< 0 picks a free port
        int threads = 64;
        /// Of those, how many wait for connections at a time; 0 means one a core (ConnectionReactor).
        int listeners = 0;
        /// A request, head and body, must arrive within this long of its first byte.
        std::chrono::seconds requestTimeout{10};
        std::chrono::seconds idleTimeout{75};
        /// Longer request heads are refused with 431.
        std::size_t maxHeadBytes = 64 * 1024;
        std::size_t maxIdle = 50000;
        /// How long a worker waits for the next request on its connection before parking it,
        /// when some listener waits on the epoll set (so no other connection waits for one).
        std::chrono::microseconds grace{50000};
    };

    HttpServer(RequestPipeline& pipeline, Options options);
    ~HttpServer();

    /// Binds (throws when the port is taken) and starts accepting.
    void start();
    /// Drains as described above; returns false when requests were still running at the end.
    bool stop(std::chrono::milliseconds drainTimeout);

    int port() const { return port_; }
    nlohmann::json stats() const;

    /// Serves requests on one connection; called by the reactor's workers.
    void serve(Poco::Net::StreamSocket& socket);

private:
    /// What became of one request on a connection, and what serve() does next.
    struct Served {
        enum class Next {
            Close,     ///< the connection ends
            Linger,    ///< a refused oversized body: close after draining what the client still sends
            TakenOver, ///< a handler owns the connection (an event stream)
            Later,     ///< the answer comes later (`later`)
            KeepAlive, ///< the connection may carry the next request
        } next = Next::Close;
        RequestPipeline::Handled later;
        bool keepAlive = false;
        std::string version;
    };
    class Session;
    /// A request read whole ahead, parsed in memory (BufferedRequest) and answered in one send.
    Served serveBuffered(Poco::Net::StreamSocket& socket, const RequestFraming::Result& framing);
    /// A request whose body a handler may stream (chunked, or over the limit): Poco's session.
    Served servePoco(std::unique_ptr<Session>& session, Poco::Net::StreamSocket& socket, const RequestFraming::Result& framing);
    /// The part both share: the version, the Date and keep-alive, "100 Continue" (unless the
    /// body is here already), the pipeline.
    Served answer(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, ReadAheadSocket& connection,
                  bool bodyArrived);
    /// Hands a connection whose answer comes later (RequestPipeline::Handled::Outcome::Later)
    /// over to that answer: written on the thread that gives it, then the connection goes back
    /// to the reactor for its next request.
    void answerLater(Poco::Net::StreamSocket socket, RequestPipeline::Handled later, bool keepAlive, const std::string& version);
    void writeLater(Poco::Net::StreamSocket& socket, bool keepAlive, const std::string& version, const std::string& requestId,
                    const LaterAnswer::Answer& answer);
    static void closeQuietly(Poco::Net::StreamSocket& socket);

    /// What an answer given later reaches the server through: null once the server is gone.
    struct Lifeline {
        std::shared_mutex mutex;
        HttpServer* server = nullptr;
    };

    RequestPipeline& pipeline_;
    Options options_;
    Poco::Net::HTTPServerParams::Ptr params_;
    std::unique_ptr<ConnectionReactor> reactor_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> laterAnswers_{0}; ///< connections waiting for an answer given later
    std::shared_ptr<Lifeline> lifeline_;
    int port_ = 0;
};

} // namespace anchang
