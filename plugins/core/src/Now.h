#pragma once
// Milliseconds since the epoch, the unit of every time core stores.

#include <chrono>
#include <cstdint>

namespace anchang::core {

inline std::int64_t nowMs() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

} // namespace anchang::core
