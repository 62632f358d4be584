#pragma once
/// anchang::sdk::BusMessage — an event or a service request as a plugin sees it.
///
/// `header` carries the fields described in docs/bus.md (id, type, schema, project, source,
/// ts, correlation_id, deadline); `body` is the JSON the sender published.

#include "anchang/abi.h"
#include "anchang/sdk/Json.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace anchang::sdk {

class BusMessage {
public:
    explicit BusMessage(const anchang_bus_message& raw)
        : topic_(raw.topic),
          header_(Json::parse(raw.header_json)),
          body_(Json::parse(raw.body_json)) {}

    /// Event topic, or service name for a request.
    const std::string& topic() const { return topic_; }
    const nlohmann::json& header() const { return header_; }
    const nlohmann::json& body() const { return body_; }
    /// The project the message is about, 0 when it is not about one project.
    std::int64_t project() const { return header_.is_object() ? header_.value("project", std::int64_t{0}) : 0; }
    /// The message's id: a durable event keeps its id on every delivery, so a subscriber can
    /// tell a redelivery after a crash from a new event.
    std::string id() const { return header_.is_object() ? header_.value("id", std::string{}) : std::string{}; }
    /// A durable event's place in the outbox (increasing, per deployment); 0 for others.
    std::int64_t sequence() const { return header_.is_object() ? header_.value("seq", std::int64_t{0}) : 0; }
    /// Id of the plugin (or external client) that sent it, as the kernel stamped it.
    std::string source() const { return header_.is_object() ? header_.value("source", std::string{}) : std::string{}; }
    /// The user the sender acted for — the kernel stamps it (the logged-in user behind the
    /// request that led here); 0 when the message was not sent on anyone's behalf.
    std::int64_t actorId() const { return actor().value("id", std::int64_t{0}); }
    /// That user's username, as the audit log names people.
    std::string actorName() const { return actor().value("username", std::string{}); }

private:
    nlohmann::json actor() const {
        if (!header_.is_object()) return nlohmann::json::object();
        const auto it = header_.find("user");
        return it != header_.end() && it->is_object() ? *it : nlohmann::json::object();
    }

    std::string topic_;
    nlohmann::json header_;
    nlohmann::json body_;
};

} // namespace anchang::sdk
