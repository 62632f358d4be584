#pragma once
// The unit of every time core stores is milliseconds since the epoch, read from the kernel's
// clock (host.now()); a day of them:

#include <cstdint>

namespace anchang::core {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

} // namespace anchang::core
