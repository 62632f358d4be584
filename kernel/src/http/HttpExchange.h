#pragma once
/// anchang::HttpExchange — one request and its response as route handlers see them.
///
/// The pipeline fills in the route parameters, the caller and the language before a handler
/// runs; the body has already been read within the size limit.

#include "auth/Principal.h"
#include "http/LaterAnswer.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace anchang {

class HttpExchange {
public:
    HttpExchange(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, std::string requestId);

    Poco::Net::HTTPServerRequest& request() { return request_; }
    Poco::Net::HTTPServerResponse& response() { return response_; }
    const std::string& method() const { return request_.getMethod(); }
    const std::string& path() const { return path_; }
    const std::string& requestId() const { return requestId_; }
    /// "zh-CN" unless Accept-Language prefers English.
    const std::string& lang() const { return lang_; }
    bool english() const { return lang_ == "en"; }

    std::map<std::string, std::string> params;
    std::map<std::string, std::string> query;
    std::string body;
    /// The caller, from the directory's cache as it is, and the token they came with.
    std::shared_ptr<const Principal> principal;
    std::string tokenId; ///< the token's id (jti), for logout
    std::int64_t tokenExpiresAt = 0;
    /// The project the route is about ({project} segment), checked for membership.
    std::optional<std::int64_t> project;

    /// The body as a JSON object; throws sdk::Error 400 otherwise.
    nlohmann::json json() const;
    std::string param(const std::string& name) const;
    /// A positive integer path parameter; throws 404 `code` otherwise.
    std::int64_t idParam(const std::string& name, const std::string& code) const;
    std::optional<std::string> queryValue(const std::string& name) const;
    /// A query parameter that must be a whole number when given, else 400 request.invalid.
    std::optional<std::int64_t> numberQuery(const std::string& name) const;

    void send(int status, const std::string& contentType, const std::string& body);
    void sendJson(int status, const nlohmann::json& value);
    /// 200 with the file's bytes, streamed from disk; extra headers (Content-Disposition) are
    /// set on response() before.
    void sendFile(const std::filesystem::path& file, const std::string& contentType);
    /// {"error":{"code","message","request_id"}}, and "detail" when there is more to say than
    /// the message (the specific reason behind a catalogued message).
    void sendError(int status, const std::string& code, const std::string& message, const std::string& detail = {});
    bool sent() const { return sent_; }

    /// Takes the connection away from the HTTP server (an event stream): the caller owns the
    /// socket and writes the response itself; the server neither answers nor reuses it.
    Poco::Net::StreamSocket takeOver();
    bool takenOver() const { return takenOver_; }

    /// The handler will answer after it returned (ABI 1.6 http_later): throws when the request
    /// was answered already or the answer promised once before.
    std::shared_ptr<LaterAnswer> answerLater();
    /// After the handler returned: sends the promised answer if it came already; otherwise the
    /// answer is still to come and later() tells the server to hand the connection over to it.
    void settleLater();
    /// Forgets the promise (the handler failed): the request is answered now, as any other.
    void dropLater();
    const std::shared_ptr<LaterAnswer>& later() const { return later_; }

    /// The head every answer carries, on whichever path it is written (here, or later by the
    /// thread that gives it): status, request id, content type and length, and a page's policy.
    static void setHead(Poco::Net::HTTPResponse& response, int status, const std::string& requestId, const std::string& contentType,
                        std::size_t bodySize);
    int status() const { return status_; }

private:
    static void setCommonHeaders(Poco::Net::HTTPResponse& response, const std::string& requestId, const std::string& contentType);

    Poco::Net::HTTPServerRequest& request_;
    Poco::Net::HTTPServerResponse& response_;
    std::string requestId_;
    std::string path_;
    std::string lang_;
    bool sent_ = false;
    bool takenOver_ = false;
    int status_ = 0;
    std::shared_ptr<LaterAnswer> later_; ///< set while an answer promised for later is still to come
};

} // namespace anchang
