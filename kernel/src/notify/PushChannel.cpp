#include "notify/PushChannel.h"

#include "bus/BusClient.h"

namespace anchang {

void PushChannel::deliver(const Message& message) {
    const nlohmann::json body = {{"audience", {{"users", {message.recipient["user_id"]}}}},
                                 {"data", {{"id", message.id}, {"template", message.templateName}, {"text", message.text}}}};
    bus_.publish("push.kernel.notification", "kernel", message.project, body.dump());
}

} // namespace anchang
