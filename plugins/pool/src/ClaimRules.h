#pragma once
/// ClaimRules — who may claim a pool customer now (捞取): nobody claims an invalid customer; the
/// previous owner waits cooldownDays after the customer entered the pool (no defeat today and
/// claim back tomorrow); and each consultant's claims — pending or approved; a refused one gives
/// its place back — stay within the caps per office day and per office month.

#include <cstdint>
#include <optional>
#include <string>

namespace anchang::pool {

class ClaimRules {
public:
    static constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

    struct Policy {
        int dailyCap = 3;
        int monthlyCap = 20;
        int cooldownDays = 30;
        int utcOffsetMinutes = 480;
    };
    struct Entry {
        std::string reason;                 ///< defeat, lapsed, departed, no_deal, invalid
        std::optional<std::int64_t> previousOwner;
        std::int64_t enteredAt = 0;
    };

    explicit ClaimRules(Policy policy) : policy_(policy) {}

    /// Why `consultant` may not claim `entry` at `now` ("" when they may): invalid, cooldown,
    /// daily_cap, monthly_cap. `today` and `thisMonth`: their claims counted so far.
    std::string refusal(const Entry& entry, std::int64_t consultant, std::int64_t now, int today, int thisMonth) const;
    /// The office's day (YYYY-MM-DD) and month (YYYY-MM) of an instant, the caps' periods.
    std::string day(std::int64_t now) const;
    std::string month(std::int64_t now) const { return day(now).substr(0, 7); }
    /// When the previous owner may claim the customer again.
    std::int64_t cooldownEnds(const Entry& entry) const { return entry.enteredAt + policy_.cooldownDays * kDayMs; }

private:
    Policy policy_;
};

} // namespace anchang::pool
