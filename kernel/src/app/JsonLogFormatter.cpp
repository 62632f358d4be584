#include "app/JsonLogFormatter.h"

#include <Poco/DateTimeFormatter.h>
#include <Poco/Message.h>

#include <nlohmann/json.hpp>

namespace anchang {

namespace {
const char* levelName(Poco::Message::Priority priority) {
    switch (priority) {
    case Poco::Message::PRIO_FATAL:
    case Poco::Message::PRIO_CRITICAL: return "critical";
    case Poco::Message::PRIO_ERROR: return "error";
    case Poco::Message::PRIO_WARNING: return "warning";
    case Poco::Message::PRIO_NOTICE:
    case Poco::Message::PRIO_INFORMATION: return "info";
    default: return "debug";
    }
}
} // namespace

void JsonLogFormatter::format(const Poco::Message& message, std::string& text) {
    nlohmann::json line = {
        {"ts", Poco::DateTimeFormatter::format(message.getTime(), "%Y-%m-%dT%H:%M:%S.%iZ")},
        {"level", levelName(message.getPriority())},
        {"logger", message.getSource()},
        {"msg", message.getText()},
    };
    text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace anchang
