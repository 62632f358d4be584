#pragma once
/// anchang::SignInCodes — one-time codes for phone sign-in (buyers, everyone-brokers): people who
/// have no password prove they hold a phone.
///
/// A code is 6 random digits, valid for 5 minutes and for 5 checks (right or wrong); a newer code
/// replaces the older one. Only its HMAC is stored. Sending is limited per phone (one a minute,
/// five an hour) and per client address (twenty an hour), in the store, so the limits hold
/// across restarts and, later, across kernels. Nothing here depends on whether the phone belongs
/// to anyone: the answers are the same for a stranger and a customer.

#include <cstdint>
#include <string>

namespace anchang {

class KernelClock;
class Store;

class SignInCodes {
public:
    struct Limits {
        std::int64_t lifetimeMs = 5 * 60 * 1000;
        int tries = 5;
        std::int64_t resendAfterMs = 60 * 1000;
        int perPhonePerHour = 5;
        int perAddressPerHour = 20;
    };

    struct Issued {
        std::string code;           ///< empty when refused
        std::int64_t retryAfterS = 0; ///< when refused: seconds until a code may be asked again
    };

    enum class Check {
        Accepted,  ///< right, and now spent
        Wrong,     ///< wrong; tries remain
        Exhausted, ///< no tries left: ask for a new code
        Invalid    ///< no live code for this phone, project and role
    };

    SignInCodes(Store& store, KernelClock& clock, std::string key) : SignInCodes(store, clock, std::move(key), Limits{}) {}
    SignInCodes(Store& store, KernelClock& clock, std::string key, Limits limits);

    const Limits& limits() const { return limits_; }

    /// A new code for `phone` to become `role` in `project`, asked from `address`.
    Issued issue(const std::string& phone, std::int64_t project, const std::string& role, const std::string& address);
    Check verify(const std::string& phone, std::int64_t project, const std::string& role, const std::string& code);

private:
    std::string digest(const std::string& phone, std::int64_t project, const std::string& role, const std::string& code) const;
    std::int64_t waitFor(const char* column, const std::string& value, int perHour, std::int64_t now);

    Store& store_;
    KernelClock& clock_;
    std::string key_;
    Limits limits_;
};

} // namespace anchang
