#pragma once
/// anchang::LoginThrottle — slows down password guessing.
///
/// Two counters over a sliding window: per username (5 failures in 15 minutes lock that
/// account for the rest of the window) and per client address (30 failures, so an office
/// behind one NAT is not locked out by one mistyping colleague). A success clears the
/// username's counter. Kept in memory: a restart forgets, which only helps the few seconds a
/// restart takes.

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
        std::chrono::seconds window{15 * 60};
    };

    LoginThrottle() : LoginThrottle(Limits{}) {}
    explicit LoginThrottle(Limits limits) : limits_(limits) {}

    /// Seconds to wait before another attempt may be made, 0 when allowed.
    std::int64_t retryAfter(const std::string& username, const std::string& address);
    void failed(const std::string& username, const std::string& address);
    void succeeded(const std::string& username);

private:
    using Clock = std::chrono::steady_clock;
    std::int64_t wait(std::deque<Clock::time_point>& failures, int limit, Clock::time_point now) const;

    Limits limits_;
    std::mutex mutex_;
    std::unordered_map<std::string, std::deque<Clock::time_point>> users_;
    std::unordered_map<std::string, std::deque<Clock::time_point>> addresses_;
};

} // namespace anchang
