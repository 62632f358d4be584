#include "GradePlan.h"

#include <chrono>
#include <cstdio>

namespace anchang::followup {

namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

std::chrono::sys_days dayOf(std::int64_t localMs) {
    return std::chrono::floor<std::chrono::days>(std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(localMs)));
}

std::int64_t msOf(std::chrono::sys_days day) { return std::chrono::duration_cast<std::chrono::milliseconds>(day.time_since_epoch()).count(); }

} // namespace

std::optional<GradePlan::Task> GradePlan::taskFor(const std::string& grade, std::int64_t now) const {
    if (grade == "A") {
        const auto day = std::chrono::year_month_day(dayOf(now + offsetMs_));
        char period[32];
        std::snprintf(period, sizeof period, "%04d-%02u-%02u", static_cast<int>(day.year()), static_cast<unsigned>(day.month()),
                      static_cast<unsigned>(day.day()));
        return Task{"revisit", period, now + revisitDays_ * kDayMs};
    }
    if (grade == "B") return weekly(now);
    if (grade == "C") return monthly(now);
    return std::nullopt;
}

std::int64_t GradePlan::monthStart(std::int64_t now) const {
    using namespace std::chrono;
    const year_month_day today{dayOf(now + offsetMs_)};
    return msOf(sys_days(today.year() / today.month() / day(1))) - offsetMs_;
}

std::int64_t GradePlan::dayEnd(std::int64_t now) const { return msOf(dayOf(now + offsetMs_) + std::chrono::days(1)) - offsetMs_ - 1; }

GradePlan::Task GradePlan::weekly(std::int64_t now) const {
    using namespace std::chrono;
    const sys_days today = dayOf(now + offsetMs_);
    const weekday wd{today};
    const sys_days monday = today - days((wd.c_encoding() + 6) % 7);
    // ISO week of the Monday: the year is the Thursday's.
    const year_month_day thursday{monday + days(3)};
    const sys_days jan1 = sys_days(year_month_day(thursday.year(), January, day(1)));
    const int week = static_cast<int>((monday + days(3) - jan1).count() / 7) + 1;
    char period[32];
    std::snprintf(period, sizeof period, "%04d-W%02d", static_cast<int>(thursday.year()), week);
    return Task{"weekly", period, msOf(monday + days(7)) - offsetMs_ - 1};
}

GradePlan::Task GradePlan::monthly(std::int64_t now) const {
    using namespace std::chrono;
    const year_month_day today{dayOf(now + offsetMs_)};
    const year_month month = today.year() / today.month();
    const sys_days next = sys_days((month + months(1)) / day(1));
    char period[32];
    std::snprintf(period, sizeof period, "%04d-%02u", static_cast<int>(today.year()), static_cast<unsigned>(today.month()));
    return Task{"monthly", period, msOf(next) - offsetMs_ - 1};
}

} // namespace anchang::followup
