#include "http/RequestPipeline.h"

#include "anchang/sdk/Error.hpp"
#include "auth/AccessPolicy.h"
#include "auth/TokenService.h"
#include "auth/UserDirectory.h"
#include "bus/BusProtocol.h"
#include "http/AccessLog.h"
#include "http/BufferedRequest.h"
#include "http/ErrorCatalog.h"
#include "http/HttpExchange.h"
#include "http/Router.h"
#include "http/StaticFiles.h"
#include "project/ProjectDirectory.h"

#include <Poco/Logger.h>
#include <Poco/Net/NetException.h>
#include <Poco/String.h>

#include <chrono>
#include <regex>

namespace anchang {

namespace {

std::string requestIdOf(const Poco::Net::HTTPServerRequest& request) {
    // Keep a caller's id so a trace can follow one request through a proxy, but only when it is
    // a short, plain token: it ends up in logs and headers.
    const std::string& given = request.get("X-Request-Id", "");
    if (!given.empty() && given.size() <= 64 &&
        std::all_of(given.begin(), given.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'; }))
        return given;
    return BusProtocol::newId();
}

/// The request's access line, with its time since it began.
void record(const AccessLog* log, std::string_view method, std::string_view path, int status, std::chrono::steady_clock::time_point started,
            std::string_view id, std::string_view user) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
    log->record(method, path, status, micros, id, user);
}

bool writes(const std::string& method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

} // namespace

RequestPipeline::RequestPipeline(Parts parts, Options options) : parts_(std::move(parts)), options_(options) {}

void RequestPipeline::readBody(HttpExchange& exchange) {
    auto& request = exchange.request();
    const bool chunked = request.getChunkedTransferEncoding();
    const std::streamsize declared = request.getContentLength();
    if (!chunked && declared <= 0) return;
    if (!chunked && static_cast<std::size_t>(declared) > options_.maxBodyBytes) {
        exchange.response().setKeepAlive(false); // the unread body would be parsed as the next request
        throw sdk::Error(413, "http.body_too_large",
                         "the body may have at most " + std::to_string(options_.maxBodyBytes) + " bytes");
    }
    // Read whole ahead already (within the limit, RequestFraming): taken as it is.
    if (auto* buffered = dynamic_cast<BufferedRequest*>(&request)) {
        exchange.body = buffered->takeBody();
        return;
    }
    std::istream& in = request.stream();
    std::string& body = exchange.body;
    char buffer[8192];
    while (in) {
        in.read(buffer, sizeof buffer);
        body.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (body.size() > options_.maxBodyBytes) {
            exchange.response().setKeepAlive(false);
            throw sdk::Error(413, "http.body_too_large",
                             "the body may have at most " + std::to_string(options_.maxBodyBytes) + " bytes");
        }
    }
}

void RequestPipeline::discardRest(HttpExchange& exchange) {
    // A client still sending its upload reads no answer if the connection closes under it (the
    // unread bytes make the close a reset). So a refused upload of reasonable size is read to
    // its end and dropped; past that, the connection closes.
    constexpr std::streamsize kDrainBytes = 32 << 20;
    auto& request = exchange.request();
    if (!request.getChunkedTransferEncoding() && request.getContentLength() > kDrainBytes) {
        exchange.response().setKeepAlive(false);
        return;
    }
    try {
        std::istream& in = request.stream();
        std::streamsize left = kDrainBytes;
        char buffer[16384];
        while (in && left > 0) {
            in.read(buffer, std::min<std::streamsize>(sizeof buffer, left));
            left -= in.gcount();
        }
        if (in) exchange.response().setKeepAlive(false);
    } catch (const std::exception&) {
        exchange.response().setKeepAlive(false);
    }
}

void RequestPipeline::authenticate(HttpExchange& exchange, bool required, bool tokenInQuery) {
    const std::string& header = exchange.request().get("Authorization", "");
    std::string fromQuery;
    std::string_view token;
    if (!header.empty()) {
        if (header.size() < 8 || Poco::icompare(header, 0, 7, "Bearer ") != 0) {
            if (required) throw sdk::Error(401, "auth.token_invalid", "use Authorization: Bearer <token>");
            return;
        }
        token = std::string_view(header).substr(7);
    } else if (auto query = exchange.queryValue("access_token"); query && tokenInQuery) {
        // The access log records the path only, so the token in the query string is not written anywhere.
        fromQuery = std::move(*query);
        token = fromQuery;
    } else {
        if (required) throw sdk::Error(401, "auth.token_missing", "this route needs a bearer token");
        return;
    }
    TokenService::Refusal refusal{};
    auto claims = parts_.tokens.verify(token, refusal);
    if (!claims) {
        if (!required) return;
        switch (refusal) {
        case TokenService::Refusal::Expired: throw sdk::Error(401, "auth.token_expired", "the token has expired");
        case TokenService::Refusal::Revoked: throw sdk::Error(401, "auth.token_revoked", "the token was logged out");
        default: throw sdk::Error(401, "auth.token_invalid", "the token is not valid");
        }
    }
    auto principal = parts_.users.principal(claims->userId);
    if (!principal) {
        if (required) throw sdk::Error(401, "auth.token_invalid", "the token's user no longer exists or is disabled");
        return;
    }
    if (principal->tokenGeneration != claims->generation) {
        if (required) throw sdk::Error(401, "auth.token_revoked", "the password was changed or the user disabled since this login");
        return;
    }
    exchange.principal = std::move(principal);
    exchange.tokenId = claims->tokenId;
    exchange.tokenExpiresAt = claims->expiresAt;
}

void RequestPipeline::route(HttpExchange& exchange, Router::Match match) {
    if (!match.route) {
        if (!match.allowed.empty()) {
            exchange.response().set("Allow", Poco::cat(std::string(", "), match.allowed.begin(), match.allowed.end()));
            throw sdk::Error(405, "http.method_not_allowed", exchange.method() + " is not allowed on " + exchange.path());
        }
        throw sdk::Error::notFound("http.not_found", "no route for " + exchange.method() + " " + exchange.path());
    }
    const Router::Route& route = *match.route;
    exchange.params = std::move(match.params);
    authenticate(exchange, route.permission != "public", route.tokenInQuery);

    if (route.pattern.hasParam("project")) {
        const std::int64_t project = exchange.idParam("project", "project.not_found");
        if (!parts_.projects.exists(project))
            throw sdk::Error::notFound("project.not_found", "no such project: " + std::to_string(project));
        if (exchange.principal && !exchange.principal->memberOf(project) && route.permission != "public")
            throw sdk::Error::forbidden("auth.not_member", "you are not a member of project " + std::to_string(project));
        exchange.project = project;
    }
    if (route.permission != "public" && !parts_.policy.allows(*exchange.principal, route.permission, exchange.project))
        throw sdk::Error::forbidden("auth.forbidden", "this needs the permission " + route.permission);
    if (writes(exchange.method())) {
        if (auto reason = parts_.readOnly(route.owner)) throw sdk::Error::forbidden("licence.expired", *reason);
    }
    // A client that waits for "100 Continue" before a body over the general limit is told to go
    // on once the route that streams it has let it in (nobody said it before: a body within the
    // limit got it from the server already); without it, curl waits a second, others forever.
    auto& request = exchange.request();
    if (route.streamsBody && request.getExpectContinue() && !request.getChunkedTransferEncoding() &&
        request.getContentLength64() > static_cast<Poco::Int64>(options_.maxBodyBytes))
        exchange.response().sendContinue();
    route.handler(exchange);
    if (!exchange.sent()) throw sdk::Error(500, "internal", route.owner + " did not answer " + route.pattern.text());
}

RequestPipeline::Handled RequestPipeline::handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
    const auto started = std::chrono::steady_clock::now();
    HttpExchange exchange(request, response, requestIdOf(request));
    bool streams = false;
    try {
        const bool api = exchange.path().starts_with("/api/");
        Router::Match match = api ? parts_.router.match(exchange.method(), exchange.path()) : Router::Match{};
        streams = match.route && match.route->streamsBody;
        // Read the body before any answer, even a refusal: an unread body would be parsed as the
        // next request on a kept-alive connection. A route that streams its body reads it itself,
        // and a refusal on it closes the connection instead.
        if (!streams) readBody(exchange);
        if (api) {
            route(exchange, std::move(match));
        } else if ((exchange.method() == "GET" || exchange.method() == "HEAD") && parts_.files.serve(exchange)) {
        } else {
            throw sdk::Error::notFound("http.not_found", "nothing at " + exchange.path());
        }
    } catch (const sdk::Error& e) {
        if (streams) discardRest(exchange);
        if (e.status() >= 500) {
            Poco::Logger::get("http").error("%s %s [%s] %s: %s", exchange.method(), exchange.path(), exchange.requestId(), e.code(), std::string(e.what()));
            exchange.sendError(e.status(), e.status() == 503 ? e.code() : "internal",
                               e.status() == 503 ? ErrorCatalog::text(e.code(), exchange.lang(), e.what())
                                                 : ErrorCatalog::text("internal", exchange.lang(), "internal error"));
        } else {
            if (e.status() == 401) response.set("WWW-Authenticate", "Bearer");
            // The catalogue's wording in the user's language, and the specific reason as detail.
            exchange.sendError(e.status(), e.code(), ErrorCatalog::text(e.code(), exchange.lang(), e.what()), e.what());
        }
    } catch (const Poco::Net::MessageException& e) {
        response.setKeepAlive(false);
        exchange.sendError(400, "http.bad_request", ErrorCatalog::text("http.bad_request", exchange.lang(), e.displayText()));
    } catch (const std::exception& e) {
        if (streams) discardRest(exchange);
        Poco::Logger::get("http").error("%s %s [%s] unhandled: %s", exchange.method(), exchange.path(), exchange.requestId(), std::string(e.what()));
        exchange.sendError(500, "internal", ErrorCatalog::text("internal", exchange.lang(), "internal error"));
    }
    const std::string_view user = exchange.principal ? std::string_view(exchange.principal->username) : std::string_view{};
    if (exchange.later()) {
        Handled later{Handled::Outcome::Later, exchange.later(), exchange.requestId(), {}};
        if (options_.accessLog)
            later.finished = [log = options_.accessLog, method = exchange.method(), path = exchange.path(), id = exchange.requestId(),
                              user = std::string(user), started](int status) { record(log, method, path, status, started, id, user); };
        return later;
    }
    if (options_.accessLog) record(options_.accessLog, exchange.method(), exchange.path(), exchange.status(), started, exchange.requestId(), user);
    return {exchange.takenOver() ? Handled::Outcome::TakenOver : Handled::Outcome::Answered, nullptr, {}, {}};
}

} // namespace anchang
