#include "auth/LoginThrottle.h"

#include <Poco/String.h>

namespace anchang {

std::int64_t LoginThrottle::wait(Failures& failures, const std::string& key, int limit, Clock::time_point now) const {
    const auto it = failures.find(key);
    if (it == failures.end()) return 0;
    auto& times = it->second;
    while (!times.empty() && now - times.front() >= limits_.window) times.pop_front();
    if (static_cast<int>(times.size()) < limit) return 0;
    const auto until = times[times.size() - static_cast<std::size_t>(limit)] + limits_.window;
    return std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(until - now).count());
}

void LoginThrottle::forgetOld(Failures& failures, Clock::time_point now) const {
    // Random usernames must not grow memory without bound: forget windows that have passed.
    if (failures.size() < 10000) return;
    std::erase_if(failures, [&](const auto& entry) { return entry.second.empty() || now - entry.second.back() >= limits_.window; });
}

std::int64_t LoginThrottle::retryAfter(const std::string& username, const std::string& address, const std::string& device) {
    const auto now = Clock::now();
    std::lock_guard lock(mutex_);
    if (!device.empty()) return wait(devices_, device, limits_.perDevice, now);
    return std::max(wait(users_, Poco::toLower(username), limits_.perUser, now), wait(addresses_, address, limits_.perAddress, now));
}

void LoginThrottle::failed(const std::string& username, const std::string& address, const std::string& device) {
    const auto now = Clock::now();
    std::lock_guard lock(mutex_);
    if (!device.empty()) {
        devices_[device].push_back(now);
        forgetOld(devices_, now);
        return;
    }
    users_[Poco::toLower(username)].push_back(now);
    addresses_[address].push_back(now);
    forgetOld(users_, now);
    forgetOld(addresses_, now);
}

void LoginThrottle::succeeded(const std::string& username, const std::string& device) {
    std::lock_guard lock(mutex_);
    if (!device.empty()) devices_.erase(device);
    else users_.erase(Poco::toLower(username));
}

} // namespace anchang
