#pragma once
/// anchang::NotificationChannel — one way a notification leaves the kernel (the log, a signed
/// webhook, e-mail). deliver() throws with the reason when this attempt failed; the center
/// retries with back-off.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace anchang {

class NotificationChannel {
public:
    /// What one delivery carries: the rendered text and everything a gateway may want.
    struct Message {
        std::int64_t id;        ///< the notification's id (a receiver's idempotency key)
        std::int64_t project;
        std::string plugin;
        std::string templateName;
        nlohmann::json recipient; ///< {"user_id","phone","email"} as far as known
        std::string lang;
        std::string text;
        nlohmann::json params;
        /// The text with the template's secret parameters (a sign-in code) masked: what may be
        /// written where people read it, such as the log.
        std::string maskedText;
    };

    virtual ~NotificationChannel() = default;
    virtual std::string name() const = 0;
    /// Whether this channel can reach the recipient at all (e-mail needs an address).
    virtual bool reaches(const nlohmann::json& recipient) const = 0;
    virtual void deliver(const Message& message) = 0;
};

} // namespace anchang
