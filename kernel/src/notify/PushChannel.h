#pragma once
/// anchang::PushChannel — the in-app notice: the user's open pages get it at once through the
/// push hub (topic push.kernel.notification, audience that user).

#include "notify/NotificationChannel.h"

namespace anchang {

class BusClient;

class PushChannel : public NotificationChannel {
public:
    explicit PushChannel(BusClient& bus) : bus_(bus) {}

    std::string name() const override { return "push"; }
    bool reaches(const nlohmann::json& recipient) const override { return recipient.contains("user_id"); }
    void deliver(const Message& message) override;

private:
    BusClient& bus_;
};

} // namespace anchang
