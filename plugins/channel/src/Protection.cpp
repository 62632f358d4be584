#include "Protection.h"

#include <algorithm>

namespace anchang::channel {

std::optional<std::int64_t> Protection::fromReport(const Policy& policy, std::int64_t reportedAt) {
    if (policy.mode == "report_deal") return reportedAt + policy.dealDays * kDayMs;
    if (policy.mode == "report_visit_deal") return reportedAt + policy.visitDays * kDayMs;
    return std::nullopt;
}

std::int64_t Protection::fromVisit(const Policy& policy, std::int64_t reportedAt, std::int64_t visitedAt) {
    // 报备保护 counts from the report whatever the visit; the others restart at the visit.
    if (policy.mode == "report_deal") return std::max(reportedAt + policy.dealDays * kDayMs, visitedAt);
    return visitedAt + policy.dealDays * kDayMs;
}

} // namespace anchang::channel
