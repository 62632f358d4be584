#pragma once
/// Notifier — tells a consultant off-screen that a visitor is waiting (SMS, WeChat work
/// message). The browser is told through the kernel's push stream in any case; this is for the
/// consultant who is not looking at a screen. A deployment plugs in its gateway by implementing
/// send(); the default only logs what it would send.

#include <cstdint>
#include <string>

namespace anchang::registration {

class Notifier {
public:
    virtual ~Notifier() = default;
    /// Best effort: a failure is logged by the implementation, never thrown at the front desk.
    virtual void send(std::int64_t project, std::int64_t userId, const std::string& userName, const std::string& text) = 0;
};

} // namespace anchang::registration
