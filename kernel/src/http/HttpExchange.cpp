#include "http/HttpExchange.h"

#include "anchang/sdk/Error.hpp"
#include "anchang/sdk/Fields.hpp"
#include "anchang/sdk/Json.hpp"
#include "http/BufferedRequest.h"

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/URI.h>

namespace anchang {

HttpExchange::HttpExchange(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                           std::string requestId)
    : request_(request), response_(response), requestId_(std::move(requestId)) {
    const std::string& uri = request.getURI();
    const auto mark = uri.find('?');
    Poco::URI::decode(uri.substr(0, mark), path_);
    if (mark != std::string::npos) {
        Poco::URI parsed(uri);
        for (auto& [key, value] : parsed.getQueryParameters()) query[key] = value;
    }
    const std::string& accept = request.get("Accept-Language", "");
    lang_ = accept.starts_with("en") ? "en" : "zh-CN";
}

nlohmann::json HttpExchange::json() const {
    nlohmann::json parsed = sdk::Json::parse(body);
    if (parsed.is_discarded()) {
        if (!sdk::Json::withinDepth(body))
            throw sdk::Error::invalid("request.too_deep", "the request body nests deeper than " + std::to_string(sdk::Json::kMaxDepth) + " levels");
        throw sdk::Error::invalid("request.malformed_json", "the request body is not valid JSON");
    }
    if (!parsed.is_object()) throw sdk::Error::invalid("request.expected_object", "the request body must be a JSON object");
    return parsed;
}

std::string HttpExchange::param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string{} : it->second;
}

std::int64_t HttpExchange::idParam(const std::string& name, const std::string& code) const {
    const std::string text = param(name);
    std::int64_t id = 0;
    for (char c : text) {
        if (c < '0' || c > '9' || id > (INT64_MAX - 9) / 10) throw sdk::Error::notFound(code, "no such " + name + ": " + text);
        id = id * 10 + (c - '0');
    }
    if (id <= 0) throw sdk::Error::notFound(code, "no such " + name + ": " + text);
    return id;
}

std::optional<std::string> HttpExchange::queryValue(const std::string& name) const {
    auto it = query.find(name);
    if (it == query.end()) return std::nullopt;
    return it->second;
}

std::optional<std::int64_t> HttpExchange::numberQuery(const std::string& name) const {
    auto text = queryValue(name);
    if (!text) return std::nullopt;
    if (auto value = sdk::Fields::wholeNumber(*text)) return value;
    throw sdk::Error::invalid("request.invalid", name + " must be a number");
}

Poco::Net::StreamSocket HttpExchange::takeOver() {
    auto* buffered = dynamic_cast<BufferedRequest*>(&request_);
    auto* impl = buffered ? nullptr : dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request_);
    if ((!buffered && !impl) || sent_) throw sdk::Error(500, "internal", "this connection cannot be taken over");
    takenOver_ = true;
    sent_ = true;
    status_ = 200;
    return buffered ? buffered->socket() : impl->detachSocket();
}

void HttpExchange::sendFile(const std::filesystem::path& file, const std::string& contentType) {
    if (sent_) return;
    setCommonHeaders(response_, requestId_, {});
    // A stored file is shown, never run: no script in an uploaded PDF or SVG-like file acts
    // with the site's rights.
    response_.set("Content-Security-Policy", "default-src 'none'; img-src 'self'; media-src 'self'; sandbox");
    response_.set("Cache-Control", "private, max-age=3600");
    // Streamed from disk in pieces. A file that cannot be opened throws before any byte is
    // written, and the pipeline's error answer goes out instead; once the head is out, the
    // answer is this one whatever happens.
    try {
        response_.sendFile(file.string(), contentType);
    } catch (...) {
        if (response_.sent()) {
            sent_ = true;
            status_ = 200;
        }
        throw;
    }
    sent_ = true;
    status_ = 200;
}

std::shared_ptr<LaterAnswer> HttpExchange::answerLater() {
    if (sent_ || later_) throw sdk::Error(500, "internal", "this request was answered already, or its answer promised before");
    later_ = LaterAnswer::create();
    sent_ = true; // nobody else answers it
    return later_;
}

void HttpExchange::settleLater() {
    if (!later_) return;
    auto early = later_->takeEarly();
    if (!early) return;
    later_.reset();
    sent_ = false;
    send(early->status, early->contentType, early->body);
}

void HttpExchange::dropLater() {
    if (!later_) return;
    later_.reset();
    sent_ = false;
}

void HttpExchange::setCommonHeaders(Poco::Net::HTTPResponse& response, const std::string& requestId, const std::string& contentType) {
    response.set("X-Request-Id", requestId);
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Referrer-Policy", "same-origin");
    if (contentType.starts_with("text/html")) {
        // The bundled UI loads only its own scripts and styles (Element Plus and CodeMirror set
        // inline styles), shows camera pictures from blob: and data:, and is never framed.
        // Only pages get it: a JSON answer renders nothing, and every byte counts there.
        response.set("Content-Security-Policy",
                     "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                     "font-src 'self' data:; media-src 'self' blob:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
                     "base-uri 'self'; form-action 'self'; frame-ancestors 'none'");
        response.set("X-Frame-Options", "DENY");
    }
}

void HttpExchange::setHead(Poco::Net::HTTPResponse& response, int status, const std::string& requestId, const std::string& contentType,
                           std::size_t bodySize) {
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    setCommonHeaders(response, requestId, contentType);
    if (status == 204) {
        response.setContentLength(0);
        return;
    }
    response.setContentType(contentType);
    response.setContentLength(static_cast<std::streamsize>(bodySize));
}

void HttpExchange::send(int status, const std::string& contentType, const std::string& content) {
    if (sent_) return;
    sent_ = true;
    status_ = status;
    setHead(response_, status, requestId_, contentType, content.size());
    if (status == 204) {
        response_.send();
        return;
    }
    response_.sendBuffer(content.data(), content.size());
}

void HttpExchange::sendJson(int status, const nlohmann::json& value) {
    // Replace rather than throw on invalid UTF-8: a client's bytes echoed in an error must not
    // turn a 400 into a 500.
    send(status, "application/json; charset=utf-8", value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void HttpExchange::sendError(int status, const std::string& code, const std::string& message, const std::string& detail) {
    nlohmann::json error = {{"code", code}, {"message", message}, {"request_id", requestId_}};
    if (!detail.empty() && detail != message) error["detail"] = detail;
    sendJson(status, {{"error", error}});
}

} // namespace anchang
