#pragma once
/// anchang::LogChannel — writes the notification to the log (logger "notify"): the default, and
/// what a development machine shows instead of sending texts. A secret parameter (a sign-in
/// code) is written only when `notify.logSecrets` says so, as scripts/run and tests do: a
/// production log must not sign anyone in.

#include "notify/NotificationChannel.h"

namespace anchang {

class LogChannel : public NotificationChannel {
public:
    explicit LogChannel(bool secrets) : secrets_(secrets) {}
    std::string name() const override { return "log"; }
    bool reaches(const nlohmann::json&) const override { return true; }
    void deliver(const Message& message) override;

private:
    bool secrets_;
};

} // namespace anchang
