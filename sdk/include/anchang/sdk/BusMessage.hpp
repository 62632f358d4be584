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
    /// Id of the plugin (or external client) that sent it.
    std::string source() const { return header_.is_object() ? header_.value("source", std::string{}) : std::string{}; }

private:
    std::string topic_;
    nlohmann::json header_;
    nlohmann::json body_;
};

} // namespace anchang::sdk
