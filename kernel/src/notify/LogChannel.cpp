#include "notify/LogChannel.h"

#include <Poco/Logger.h>

namespace anchang {

void LogChannel::deliver(const Message& message) {
    Poco::Logger::get("notify").information("notification %Ld to %s (%s): %s", message.id, message.recipient.dump(), message.templateName,
                                            secrets_ ? message.text : message.maskedText);
}

} // namespace anchang
