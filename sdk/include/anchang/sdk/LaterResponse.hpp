#pragma once
/// anchang::sdk::LaterResponse — the answer to a request, given after its handler returned.
///
/// A route served with Host::routeLater hands its handler one of these. Answering within the
/// handler is as usual; a handler that waits for something (a sale written with others in one
/// transaction) moves it to whoever finishes the work, which answers from its own thread. The
/// kernel's HTTP worker goes on meanwhile, so a thousand buyers waiting for one commit hold no
/// thread each. Answer exactly once; one dropped unanswered answers 500, so no client waits
/// for ever.

#include "anchang/abi.h"
#include "anchang/sdk/Error.hpp"
#include "anchang/sdk/Response.hpp"

#include <string>
#include <utility>

namespace anchang::sdk {

class LaterResponse {
public:
    LaterResponse() = default;
    LaterResponse(const anchang_host* host, anchang_http_respond_fn respond, void* respondCtx, std::string requestId)
        : host_(host), respond_(respond), respondCtx_(respondCtx), requestId_(std::move(requestId)) {}
    LaterResponse(LaterResponse&& other) noexcept { *this = std::move(other); }
    LaterResponse& operator=(LaterResponse&& other) noexcept {
        if (this != &other) {
            drop();
            host_ = other.host_;
            respond_ = std::exchange(other.respond_, nullptr);
            respondCtx_ = std::exchange(other.respondCtx_, nullptr);
            requestId_ = std::move(other.requestId_);
        }
        return *this;
    }
    LaterResponse(const LaterResponse&) = delete;
    LaterResponse& operator=(const LaterResponse&) = delete;
    ~LaterResponse() { drop(); }

    /// Whether it is still to be answered (not answered, not moved away).
    bool pending() const { return respond_ != nullptr; }
    const std::string& requestId() const { return requestId_; }

    void send(const Response& response) {
        if (!respond_) return;
        auto respond = std::exchange(respond_, nullptr);
        respond(std::exchange(respondCtx_, nullptr), response.status, response.contentType.c_str(), response.body.data(),
                response.body.size());
    }
    /// The error answer a route's thrown sdk::Error gets; a 5xx is logged.
    void fail(const Error& e) {
        if (e.status() >= 500 && host_)
            host_->log(host_->ctx, ANCHANG_LOG_ERROR, ("[" + requestId_ + "] " + e.code() + ": " + e.what()).c_str());
        send(Response::error(e, requestId_));
    }

private:
    void drop() {
        if (respond_) fail(Error(500, "internal", "the request was dropped unanswered"));
    }

    const anchang_host* host_ = nullptr;
    anchang_http_respond_fn respond_ = nullptr;
    void* respondCtx_ = nullptr;
    std::string requestId_;
};

} // namespace anchang::sdk
