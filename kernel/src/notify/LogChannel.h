#pragma once
/// anchang::LogChannel — writes the notification to the log (logger "notify"): the default, and
/// what a development machine shows instead of sending texts.

#include "notify/NotificationChannel.h"

namespace anchang {

class LogChannel : public NotificationChannel {
public:
    std::string name() const override { return "log"; }
    bool reaches(const nlohmann::json&) const override { return true; }
    void deliver(const Message& message) override;
};

} // namespace anchang
