#pragma once
/// anchang::sdk::Response — what a route handler returns.

#include "anchang/sdk/Error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

namespace anchang::sdk {

struct Response {
    int status = 200;
    std::string contentType = "application/json; charset=utf-8";
    std::string body;

    static Response json(const nlohmann::json& value, int status = 200) {
        return {status, "application/json; charset=utf-8", value.dump()};
    }
    static Response created(const nlohmann::json& value) { return json(value, 201); }
    static Response noContent() { return {204, "application/json; charset=utf-8", {}}; }
    static Response text(std::string body, std::string contentType, int status = 200) {
        return {status, std::move(contentType), std::move(body)};
    }
    /// The kernel's error shape, with the request id the README promises on every error. A
    /// 5xx tells the client only the request id: what went wrong is for the log.
    static Response error(const Error& e, const std::string& requestId) {
        const bool internal = e.status() >= 500;
        // Written out, in the order an object would have (its keys sorted), rather than built as
        // one: on opening day four answers in five are refusals, and the object's nodes cost
        // more than the rest of a refusal.
        const auto quoted = [](const std::string& text) {
            // Plain ASCII, as codes, request ids and most messages are, needs no escaping;
            // anything else goes through nlohmann, which escapes it and checks its UTF-8.
            if (std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; }))
                return '"' + text + '"';
            return nlohmann::json(text).dump();
        };
        std::string body = R"({"error":{"code":)" + quoted(e.code());
        if (!internal && !e.detail().is_null()) body += R"(,"detail":)" + e.detail().dump();
        body += R"(,"message":)" + quoted(internal ? "internal error, request id " + requestId : std::string(e.what()));
        body += R"(,"request_id":)" + quoted(requestId) + "}}";
        return {e.status(), "application/json; charset=utf-8", std::move(body)};
    }
};

} // namespace anchang::sdk
