#pragma once
/// anchang::DeviceTrust — device tokens: a browser that logged in as a user once may say so
/// again, and is then not held back by guesses others make at that user's password.
///
/// After each successful login the browser gets a device token (user, device id, the user's
/// token generation, expiry; MAC'd with the token key). LoginThrottle counts failures of a
/// trusted device against that device alone, so nobody can lock the owner of an account out
/// of their usual browser by guessing at it ("device cookies", OWASP). A password change or a
/// disable moves the user to a new token generation, which ends their device tokens too.

#include <cstdint>
#include <optional>
#include <string>

namespace anchang {

class TokenService;

class DeviceTrust {
public:
    struct Device {
        std::int64_t userId = 0;
        std::string id;
        std::int64_t generation = 0;
    };

    DeviceTrust(const TokenService& tokens, std::int64_t ttlSeconds) : tokens_(tokens), ttlSeconds_(ttlSeconds) {}

    /// A token for a device of `userId`; `deviceId` keeps an existing device's id (a new one when empty).
    std::string issue(std::int64_t userId, std::int64_t generation, std::string deviceId = {}) const;
    /// The device a token names, when its MAC is right and it has not expired.
    std::optional<Device> verify(const std::string& token) const;

private:
    const TokenService& tokens_;
    std::int64_t ttlSeconds_;
};

} // namespace anchang
