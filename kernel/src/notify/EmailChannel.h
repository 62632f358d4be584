#pragma once
/// anchang::EmailChannel — sends the notification as a plain-text e-mail through an SMTP relay
/// (Poco's SMTP client), to recipients with an address.

#include "notify/NotificationChannel.h"

namespace anchang {

class EmailChannel : public NotificationChannel {
public:
    EmailChannel(std::string host, int port, std::string from);

    std::string name() const override { return "email"; }
    bool reaches(const nlohmann::json& recipient) const override { return recipient.contains("email"); }
    void deliver(const Message& message) override;

private:
    std::string host_;
    int port_;
    std::string from_;
};

} // namespace anchang
