#include "http/HttpServer.h"

#include "http/BufferedRequest.h"
#include "http/BufferedResponse.h"
#include "http/HttpExchange.h"
#include "http/ReadAheadSocket.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketDefs.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <poll.h>
#include <stdexcept>
#include <thread>

namespace anchang {

namespace {

/// How long the thread that gives an answer later waits, at most, for a client to take it.
constexpr std::chrono::milliseconds kLaterPatience{200};

/// Waits until the socket is readable. Poco 1.11's Socket::poll builds and tears down an epoll
/// set on every call, three system calls too many on the path of every request.
bool readable(const Poco::Net::StreamSocket& socket, std::chrono::microseconds wait) {
    pollfd entry{socket.impl()->sockfd(), POLLIN, 0};
    int timeoutMs = static_cast<int>((wait.count() + 999) / 1000);
    int rc;
    do {
        rc = ::poll(&entry, 1, timeoutMs);
    } while (rc < 0 && errno == EINTR);
    return rc > 0;
}

/// The Date header, formatted once a second per thread rather than by Poco for every answer.
const std::string& httpDate() {
    thread_local std::time_t formattedFor = -1;
    thread_local std::string text;
    const std::time_t now = std::time(nullptr);
    if (now != formattedFor) {
        text = Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(now), Poco::DateTimeFormat::HTTP_FORMAT);
        formattedFor = now;
    }
    return text;
}

/// Closes a connection whose client may still be sending (a refused oversized body): stop
/// writing, then read and discard for a moment, so the client gets to read our answer instead
/// of a reset. Bounded in time and bytes, like nginx's lingering close.
void lingeringClose(Poco::Net::StreamSocket& socket) {
    try {
        socket.shutdownSend();
        char sink[16384];
        std::size_t drained = 0;
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (drained < (4u << 20) && std::chrono::steady_clock::now() < until &&
               readable(socket, std::chrono::milliseconds(200))) {
            const int n = socket.receiveBytes(sink, sizeof sink);
            if (n <= 0) break;
            drained += static_cast<std::size_t>(n);
        }
    } catch (const Poco::Exception&) {
    }
}

/// The answer to a request line or head nobody can read; the connection closes after it.
void sendBadRequest(Poco::Net::StreamSocket& socket) {
    static const std::string body = R"({"error":{"code":"http.bad_request","message":"malformed HTTP request"}})";
    ReadAheadSocket::of(socket).sendNow("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n"
                                        "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
}

} // namespace

/// Poco's session, with the one thing parking needs: the bytes it read past the request it
/// parsed (a pipelining client's next request), handed back to the connection's read-ahead
/// buffer so that the next request is framed as a whole before anyone waits for it.
class HttpServer::Session : public Poco::Net::HTTPServerSession {
public:
    using Poco::Net::HTTPServerSession::HTTPServerSession;
    std::string takeBuffered() {
        std::string bytes(static_cast<std::size_t>(buffered()), '\0');
        if (!bytes.empty()) bytes.resize(static_cast<std::size_t>(read(bytes.data(), static_cast<std::streamsize>(bytes.size()))));
        return bytes;
    }
};

HttpServer::HttpServer(RequestPipeline& pipeline, Options options)
    : pipeline_(pipeline), options_(std::move(options)), lifeline_(std::make_shared<Lifeline>()) {
    lifeline_->server = this;
}

HttpServer::~HttpServer() {
    stop(std::chrono::milliseconds(0));
    std::unique_lock lock(lifeline_->mutex); // waits for an answer being written
    lifeline_->server = nullptr;
}

void HttpServer::start() {
    Poco::Net::ServerSocket listener;
    const std::string address = options_.host + ":" + std::to_string(options_.port);
    try {
        // SO_REUSEADDR to restart at once after a stop; never SO_REUSEPORT, which would let a
        // second anchangd share the port silently instead of failing.
        listener.bind(Poco::Net::SocketAddress(options_.host, static_cast<Poco::UInt16>(options_.port)), true, false);
        listener.listen(4096);
    } catch (const Poco::Exception& e) {
        // Poco's what() is only "Net Exception": say where and why, and what to do about it.
        const bool taken = e.code() == POCO_EADDRINUSE || e.displayText().find("in use") != std::string::npos;
        throw std::runtime_error("cannot listen on " + address + ": " + e.displayText() +
                                 (taken ? " (another program, or another anchangd, uses this port: stop it or set http.port)" : ""));
    }
    port_ = listener.address().port();

    params_ = new Poco::Net::HTTPServerParams;
    params_->setTimeout(Poco::Timespan(options_.requestTimeout.count(), 0));
    params_->setKeepAlive(true);
    params_->setKeepAliveTimeout(Poco::Timespan(options_.idleTimeout.count(), 0));
    // Poco's session treats 0 as "no keep-alive" despite the documentation; parking makes the
    // per-session count meaningless anyway, since every wake-up starts a new session.
    params_->setMaxKeepAliveRequests(1 << 30);
    params_->setServerName("anchangd");

    reactor_ = std::make_unique<ConnectionReactor>(
        listener, [this](Poco::Net::StreamSocket& socket) { serve(socket); },
        ConnectionReactor::Options{options_.idleTimeout, options_.requestTimeout, options_.maxIdle, options_.maxHeadBytes,
                                   pipeline_.maxBodyBytes(), options_.threads, options_.listeners});
    reactor_->start();
}

HttpServer::Served HttpServer::answer(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, ReadAheadSocket& connection,
                                      bool bodyArrived) {
    // Poco takes any three words for a request line; a TLS hello or a port scan is not one.
    const std::string& version = request.getVersion();
    if (version != Poco::Net::HTTPMessage::HTTP_1_1 && version != Poco::Net::HTTPMessage::HTTP_1_0)
        throw Poco::Net::MessageException("not an HTTP/1.x request line");
    response.set(Poco::Net::HTTPResponse::DATE, httpDate());
    response.setVersion(version);
    response.setKeepAlive(!stopping_ && request.getKeepAlive());
    // The reactor said "100 Continue" already when the client waited for it to send its body;
    // one that sent its body without waiting needs none.
    if (request.getExpectContinue() && !bodyArrived && !connection.continued() &&
        request.getContentLength() <= static_cast<std::streamsize>(pipeline_.maxBodyBytes()))
        response.sendContinue();
    auto handled = pipeline_.handle(request, response);
    Served served;
    served.keepAlive = !stopping_ && response.getKeepAlive();
    served.version = version;
    if (handled.outcome == RequestPipeline::Handled::Outcome::TakenOver) {
        served.next = Served::Next::TakenOver;
    } else if (handled.outcome == RequestPipeline::Handled::Outcome::Later) {
        served.next = Served::Next::Later;
        served.later = std::move(handled);
    } else if (response.getStatus() == Poco::Net::HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE) {
        served.next = Served::Next::Linger;
    } else {
        served.next = served.keepAlive ? Served::Next::KeepAlive : Served::Next::Close;
    }
    return served;
}

HttpServer::Served HttpServer::serveBuffered(Poco::Net::StreamSocket& socket, const RequestFraming::Result& framing) {
    auto& connection = ReadAheadSocket::of(socket);
    const std::string_view bytes = connection.pending().substr(0, framing.length);
    BufferedResponse response(socket);
    BufferedRequest request(bytes.substr(0, framing.headLength), bytes.substr(framing.headLength), response, socket, *params_);
    // The body the parser found must be the one framed, or a request could hide another.
    const std::size_t framed = framing.length - framing.headLength;
    if (request.getChunkedTransferEncoding() || static_cast<std::size_t>(std::max<Poco::Int64>(0, request.getContentLength64())) != framed)
        throw Poco::Net::MessageException("the body's length is not the one framed");
    connection.consume(framing.length);
    response.setHeadOnly(request.getMethod() == Poco::Net::HTTPRequest::HTTP_HEAD);
    Served served = answer(request, response, connection, true);
    // An answer cut short must end the connection: the client would read the next as its rest.
    if (!response.whole()) served.next = Served::Next::Close;
    if (served.next == Served::Next::KeepAlive || served.next == Served::Next::Later) connection.nextRequest({});
    return served;
}

HttpServer::Served HttpServer::servePoco(std::unique_ptr<Session>& session, Poco::Net::StreamSocket& socket, const RequestFraming::Result& framing) {
    if (!session) session = std::make_unique<Session>(socket, params_);
    Served served;
    {
        // Poco writes the response out when the response object goes away, at the end of this
        // block: before the connection is parked, lingered on or handed over.
        Poco::Net::HTTPServerResponseImpl response(*session);
        Poco::Net::HTTPServerRequestImpl request(response, *session, params_);
        // Poco must read the body as it was framed (chunked or not), or what is left of it
        // would be read as the next request.
        if (request.getChunkedTransferEncoding() != framing.chunked) throw Poco::Net::MessageException("the body is not framed as Poco reads it");
        served = answer(request, response, ReadAheadSocket::of(socket), false);
    }
    session->setKeepAlive(served.keepAlive);
    if (served.next == Served::Next::KeepAlive || served.next == Served::Next::Later) ReadAheadSocket::of(socket).nextRequest(session->takeBuffered());
    return served;
}

void HttpServer::serve(Poco::Net::StreamSocket& socket) {
    auto& connection = ReadAheadSocket::of(socket);
    // Poco's session, made only for a request whose body a handler may stream. While it lives
    // it owns the socket and closes it when it goes, so it lets go of the socket first whenever
    // the connection lives on (parked, taken over, or waiting for an answer given later).
    std::unique_ptr<Session> session;
    const auto keepSocket = [&session] {
        if (!session) return;
        session->detachSocket();
        session.reset();
    };
    // Until the connection is closed, handed on, or parked with nothing unread.
    for (;;) {
        auto framing = RequestFraming::scan(connection.pending(), options_.maxHeadBytes, pipeline_.maxBodyBytes());
        if (!ConnectionReactor::servable(framing)) {
            switch (reactor_->admit(socket, framing)) {
            case ConnectionReactor::Admission::Closed: return;
            case ConnectionReactor::Admission::Wait:
                keepSocket();
                if (reactor_->park(socket)) return;
                continue; // bytes may have come meanwhile
            case ConnectionReactor::Admission::Serve: break;
            }
        }
        Served served;
        try {
            served = framing.state == RequestFraming::State::Complete && !framing.chunked ? serveBuffered(socket, framing)
                                                                                             : servePoco(session, socket, framing);
        } catch (const Poco::Net::NoMessageException&) {
            return; // the peer closed the connection
        } catch (const Poco::Net::MessageException&) {
            sendBadRequest(socket);
            return;
        } catch (const Poco::TimeoutException&) {
            return; // a client that stopped sending mid-request, or stopped reading its answer
        } catch (const Poco::Exception& e) {
            Poco::Logger::get("http").debug("connection dropped: %s", e.displayText());
            return; // reset while reading or writing
        } catch (const std::exception& e) {
            Poco::Logger::get("http").error("connection dropped: %s", std::string(e.what()));
            return;
        }
        switch (served.next) {
        case Served::Next::Close: return;
        case Served::Next::Linger: return lingeringClose(socket);
        case Served::Next::TakenOver:
            // An event stream owns the connection now, its bytes included.
            keepSocket();
            return reactor_->release(socket);
        case Served::Next::Later:
            // Nothing was written: the answer comes later, and with it the connection's next
            // request. Until then the connection is the answer's, and this worker goes on.
            keepSocket();
            return answerLater(socket, std::move(served.later), served.keepAlive, served.version);
        case Served::Next::KeepAlive: break;
        }
        // A client in a hurry sends its next request within microseconds; catching it here
        // saves the round trip through the reactor. Look for it only while no other connection
        // waits for a worker, and serve it here only once it has arrived whole: a worker never
        // waits on a client. Under a crowd a worker moves on at once, without even a look: the
        // reactor sees what arrives meanwhile, and the look was a system call per request that
        // in the opening storm almost never found anything (docs/perf.md).
        if (!connection.pending().empty()) continue; // pipelined: served if whole, else read on
        if (reactor_->workerWaiting() && readable(socket, options_.grace)) continue;
        keepSocket();
        if (reactor_->park(socket)) return;
    }
}

void HttpServer::answerLater(Poco::Net::StreamSocket socket, RequestPipeline::Handled later, bool keepAlive, const std::string& version) {
    laterAnswers_.fetch_add(1);
    auto deliver = [lifeline = lifeline_, socket, keepAlive, version, requestId = std::move(later.requestId),
                    finished = std::move(later.finished)](LaterAnswer::Answer&& answer) mutable {
        // A plugin that answers after the server is gone (it kept an answer past its stop)
        // finds the connection closed, not freed memory.
        std::shared_lock lock(lifeline->mutex);
        if (!lifeline->server) return closeQuietly(socket);
        lifeline->server->writeLater(socket, keepAlive, version, requestId, answer);
        if (finished) finished(answer.status);
    };
    later.later->handOver(std::move(deliver));
}

void HttpServer::writeLater(Poco::Net::StreamSocket& socket, bool keepAlive, const std::string& version, const std::string& requestId,
                            const LaterAnswer::Answer& answer) {
    bool written = false, keep = false;
    try {
        Poco::Net::HTTPResponse head(version, Poco::Net::HTTPResponse::HTTP_OK);
        HttpExchange::setHead(head, answer.status, requestId, answer.contentType, answer.body.size());
        head.set(Poco::Net::HTTPResponse::DATE, httpDate());
        head.setKeepAlive(keepAlive && !stopping_);
        keep = head.getKeepAlive();
        std::string bytes = BufferedResponse::headOf(head);
        if (answer.status != 204) bytes += answer.body;
        // On the thread that gave the answer (a writer answering a whole batch): a client
        // waiting for its answer has room for it, and one that does not read is given a
        // moment, then loses the connection rather than stall that thread.
        written = ReadAheadSocket::of(socket).sendAll(bytes, kLaterPatience);
        if (!written) Poco::Logger::get("http").warning("[%s] an answer given later was not taken by the client: connection closed", requestId);
        if (written && keep) reactor_->resume(socket);
    } catch (const std::exception& e) {
        Poco::Logger::get("http").error("[%s] writing an answer given later: %s", requestId, std::string(e.what()));
        written = false;
    }
    if (!written || !keep) closeQuietly(socket);
    laterAnswers_.fetch_sub(1);
}

void HttpServer::closeQuietly(Poco::Net::StreamSocket& socket) {
    try {
        socket.close();
    } catch (...) {
    }
}

bool HttpServer::stop(std::chrono::milliseconds drainTimeout) {
    if (!reactor_ || stopping_.exchange(true)) return true;
    reactor_->stop();
    const auto until = std::chrono::steady_clock::now() + drainTimeout;
    const auto running = [this] { return reactor_->busy() > 0 || laterAnswers_.load() > 0; };
    while (running() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const bool drained = !running();
    if (!drained)
        Poco::Logger::get("http").warning("stopped with %d requests still running", reactor_->busy() + laterAnswers_.load());
    reactor_->join();
    return drained;
}

nlohmann::json HttpServer::stats() const {
    return {{"port", port_},
            {"threads", reactor_->workers()},
            {"listeners", reactor_->listeners()},
            {"spares_called", reactor_->sparesCalled()},
            {"busy_connections", reactor_->busy()},
            {"waiting_for_answers", laterAnswers_.load()},
            {"idle_connections", reactor_->idle()},
            {"accepted_connections", reactor_->accepted()}};
}

} // namespace anchang
