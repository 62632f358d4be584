#include "auth/LoginThrottle.h"

#include <Poco/String.h>

namespace anchang {

std::int64_t LoginThrottle::wait(std::deque<Clock::time_point>& failures, int limit, Clock::time_point now) const {
    while (!failures.empty() && now - failures.front() >= limits_.window) failures.pop_front();
    if (static_cast<int>(failures.size()) < limit) return 0;
    auto until = failures.front() + limits_.window;
    return std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(until - now).count());
}

std::int64_t LoginThrottle::retryAfter(const std::string& username, const std::string& address) {
    const auto now = Clock::now();
    std::lock_guard lock(mutex_);
    return std::max(wait(users_[Poco::toLower(username)], limits_.perUser, now),
                    wait(addresses_[address], limits_.perAddress, now));
}

void LoginThrottle::failed(const std::string& username, const std::string& address) {
    const auto now = Clock::now();
    std::lock_guard lock(mutex_);
    users_[Poco::toLower(username)].push_back(now);
    addresses_[address].push_back(now);
    // Random usernames must not grow memory without bound: forget windows that have passed.
    for (auto* map : {&users_, &addresses_}) {
        if (map->size() < 10000) continue;
        std::erase_if(*map, [&](const auto& entry) { return entry.second.empty() || now - entry.second.back() >= limits_.window; });
    }
}

void LoginThrottle::succeeded(const std::string& username) {
    std::lock_guard lock(mutex_);
    users_.erase(Poco::toLower(username));
}

} // namespace anchang
