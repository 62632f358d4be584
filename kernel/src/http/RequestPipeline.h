#pragma once
/// anchang::RequestPipeline — what happens to every HTTP request, in one place.
///
/// Request id, body limit, routing (404/405 as JSON), authentication, project membership,
/// permission, the expired-licence read-only rule, the handler, error conversion and the
/// access log. Errors never carry stack traces or SQL to the client: a 5xx says "internal
/// error" with the request id, and the log holds the rest.

#include "http/LaterAnswer.h"
#include "http/Router.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace anchang {

class AccessLog;
class AccessPolicy;
class HttpExchange;
class ProjectDirectory;
class Router;
class StaticFiles;
class TokenService;
class UserDirectory;

class RequestPipeline {
public:
    struct Options {
        std::size_t maxBodyBytes = 1 << 20;
        /// Where access lines go; none when null (http.accessLog=false).
        const AccessLog* accessLog = nullptr;
    };
    struct Parts {
        Router& router;
        TokenService& tokens;
        UserDirectory& users;
        AccessPolicy& policy;
        ProjectDirectory& projects;
        const StaticFiles& files;
        /// Why writes to a route owner are refused (an expired licence), or nullopt.
        std::function<std::optional<std::string>(const std::string& owner)> readOnly;
    };

    /// What became of a request.
    struct Handled {
        enum class Outcome {
            Answered,  ///< on `response`
            TakenOver, ///< a handler owns the connection now (an event stream)
            Later,     ///< the answer comes later: hand the connection over to `later`
        } outcome = Outcome::Answered;
        std::shared_ptr<LaterAnswer> later;
        std::string requestId; ///< for Later: the answer's X-Request-Id
        /// For Later: call with the status once the answer went out (the access log's line).
        std::function<void(int status)> finished;
    };

    RequestPipeline(Parts parts, Options options);

    Handled handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

    /// The largest body accepted; larger ones get 413 and the connection is closed.
    std::size_t maxBodyBytes() const { return options_.maxBodyBytes; }

private:
    void route(HttpExchange& exchange, Router::Match match);
    /// After a refusal on a route that streams its body: reads what is left of it (up to 32 MiB)
    /// so the client gets the answer, or closes the connection after answering.
    void discardRest(HttpExchange& exchange);
    void authenticate(HttpExchange& exchange, bool required, bool tokenInQuery);
    void readBody(HttpExchange& exchange);

    Parts parts_;
    Options options_;
};

} // namespace anchang
