#include "clock/KernelClock.h"

#include "anchang/sdk/Error.hpp"

#include <chrono>

namespace anchang {

std::int64_t KernelClock::systemMs() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t KernelClock::nowMs() const {
    if (!adjustable_) return systemMs();
    std::lock_guard lock(mutex_);
    return frozenAt_ >= 0 ? frozenAt_ : systemMs() + offsetMs_;
}

void KernelClock::set(std::int64_t ms, bool frozen) {
    if (!adjustable_) throw sdk::Error::forbidden("clock.fixed", "the clock can be moved only in a kernel started with test.clock");
    if (ms < 0) throw sdk::Error::invalid("clock.invalid", "now must be milliseconds since the epoch");
    {
        std::lock_guard lock(mutex_);
        offsetMs_ = ms - systemMs();
        frozenAt_ = frozen ? ms : -1;
    }
    changed(true);
}

void KernelClock::advance(std::int64_t ms) {
    if (!adjustable_) throw sdk::Error::forbidden("clock.fixed", "the clock can be moved only in a kernel started with test.clock");
    if (ms < 0) throw sdk::Error::invalid("clock.invalid", "the clock only moves forward: ms must be >= 0");
    {
        std::lock_guard lock(mutex_);
        offsetMs_ += ms;
        if (frozenAt_ >= 0) frozenAt_ += ms;
    }
    changed(false);
}

nlohmann::json KernelClock::describe() const {
    const std::int64_t now = nowMs();
    std::lock_guard lock(mutex_);
    return {{"now", now}, {"adjustable", adjustable_}, {"frozen", frozenAt_ >= 0}};
}

void KernelClock::onChange(std::function<void(bool)> listener) {
    std::lock_guard lock(mutex_);
    listeners_.push_back(std::move(listener));
}

void KernelClock::changed(bool jumped) {
    std::vector<std::function<void(bool)>> listeners;
    {
        std::lock_guard lock(mutex_);
        listeners = listeners_;
    }
    for (const auto& listener : listeners) listener(jumped);
}

} // namespace anchang
