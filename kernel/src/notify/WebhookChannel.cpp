#include "notify/WebhookChannel.h"

#include "crypto/Hmac.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <stdexcept>

namespace anchang {

WebhookChannel::WebhookChannel(std::string url, std::string secret, std::function<std::int64_t()> now)
    : secret_(std::move(secret)), now_(std::move(now)) {
    const Poco::URI uri(url);
    // Loopback or a gateway inside the office network; TLS terminates at a proxy in front.
    if (uri.getScheme() != "http" || uri.getHost().empty()) throw std::invalid_argument("notify.webhook.url must be an http:// URL");
    host_ = uri.getHost();
    port_ = uri.getPort();
    path_ = uri.getPathAndQuery().empty() ? "/" : uri.getPathAndQuery();
    if (secret_.size() < 16) throw std::invalid_argument("notify.webhook.secret must have at least 16 characters");
}

std::string WebhookChannel::signature(const std::string& secret, const std::string& timestamp, const std::string& body) {
    return "sha256=" + Hmac::sha256Hex(secret, timestamp + "." + body);
}

void WebhookChannel::deliver(const Message& message) {
    const std::string body = nlohmann::json{{"id", message.id},
                                            {"project_id", message.project},
                                            {"plugin", message.plugin},
                                            {"template", message.templateName},
                                            {"recipient", message.recipient},
                                            {"lang", message.lang},
                                            {"text", message.text},
                                            {"params", message.params}}
                                 .dump();
    const std::string timestamp = std::to_string(now_());
    Poco::Net::HTTPClientSession session(host_, port_);
    session.setTimeout(Poco::Timespan(5, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, path_, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    request.set("X-Anchang-Timestamp", timestamp);
    request.set("X-Anchang-Signature", signature(secret_, timestamp, body));
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    session.receiveResponse(response);
    if (response.getStatus() < 200 || response.getStatus() >= 300)
        throw std::runtime_error("the webhook answered HTTP " + std::to_string(response.getStatus()));
}

} // namespace anchang
