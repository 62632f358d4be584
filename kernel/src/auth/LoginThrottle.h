#pragma once
/// anchang::LoginThrottle — slows password guessing down without handing anyone a lock-out.
///
/// Failures are counted over a sliding window (15 minutes):
///  - from a browser with no device token for the user (DeviceTrust): per username (5) and per
///    client address (30); past either, such browsers wait for that username or address;
///  - from a trusted device: per device (5); past it, that device waits, no one else.
/// So a guesser who hammers `admin` stops themselves and every browser admin never used, while
/// admin's own browser logs in as usual; and a mistyping colleague behind the office's one NAT
/// address holds back only browsers that never logged in there. Kept in memory: a restart
/// forgets, which only helps the few seconds a restart takes.

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace anchang {

class LoginThrottle {
public:
    struct Limits {
        int perUser = 5;
        int perAddress = 30;
        int perDevice = 5;
        std::chrono::seconds window{15 * 60};
    };

    LoginThrottle() : LoginThrottle(Limits{}) {}
    explicit LoginThrottle(Limits limits) : limits_(limits) {}

    /// Seconds to wait before another attempt may be made, 0 when allowed. `device` is the id
    /// of a trusted device of this user, or empty.
    std::int64_t retryAfter(const std::string& username, const std::string& address, const std::string& device);
    void failed(const std::string& username, const std::string& address, const std::string& device);
    void succeeded(const std::string& username, const std::string& device);

private:
    using Clock = std::chrono::steady_clock;
    using Failures = std::unordered_map<std::string, std::deque<Clock::time_point>>;
    std::int64_t wait(Failures& failures, const std::string& key, int limit, Clock::time_point now) const;
    void forgetOld(Failures& failures, Clock::time_point now) const;

    Limits limits_;
    std::mutex mutex_;
    Failures users_;
    Failures addresses_;
    Failures devices_;
};

} // namespace anchang
