#include "ClaimRules.h"

#include <ctime>

namespace anchang::pool {

std::string ClaimRules::refusal(const Entry& entry, std::int64_t consultant, std::int64_t now, int today, int thisMonth) const {
    if (entry.reason == "invalid") return "invalid";
    if (entry.previousOwner == consultant && now < cooldownEnds(entry)) return "cooldown";
    if (today >= policy_.dailyCap) return "daily_cap";
    if (thisMonth >= policy_.monthlyCap) return "monthly_cap";
    return "";
}

std::string ClaimRules::day(std::int64_t now) const {
    const std::time_t seconds = static_cast<std::time_t>((now + policy_.utcOffsetMinutes * 60000LL) / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char text[16];
    std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
    return text;
}

} // namespace anchang::pool
