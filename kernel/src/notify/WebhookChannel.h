#pragma once
/// anchang::WebhookChannel — POSTs each notification as JSON to the operator's URL, the shape SMS
/// gateways and WeChat Work group robots take (a small adapter on their side maps it). Signed:
/// `X-Anchang-Timestamp: <ms>` and `X-Anchang-Signature: sha256=<hex HMAC-SHA256 of
/// "<timestamp>.<body>" under the shared secret>`, so the receiver can refuse forgeries and
/// replays. Anything but a 2xx answer is a failed attempt.

#include "notify/NotificationChannel.h"

namespace anchang {

class WebhookChannel : public NotificationChannel {
public:
    WebhookChannel(std::string url, std::string secret, std::function<std::int64_t()> now);

    std::string name() const override { return "webhook"; }
    bool reaches(const nlohmann::json&) const override { return true; }
    void deliver(const Message& message) override;

    /// The signature a receiver should expect (shared with tests and receivers' docs).
    static std::string signature(const std::string& secret, const std::string& timestamp, const std::string& body);

private:
    std::string host_;
    unsigned short port_ = 80;
    std::string path_;
    std::string secret_;
    std::function<std::int64_t()> now_;
};

} // namespace anchang
