#include "schedule/CronSchedule.h"

#include <gtest/gtest.h>

#include <chrono>

using anchang::CronSchedule;

namespace {

constexpr int kChina = 480; // UTC+8

/// ms since the epoch of a UTC date and time.
std::int64_t utc(int y, unsigned m, unsigned d, int hour = 0, int minute = 0) {
    using namespace std::chrono;
    const sys_days day{year(y) / month(m) / d};
    return duration_cast<milliseconds>((day + hours(hour) + minutes(minute)).time_since_epoch()).count();
}

std::string refusal(const std::string& expression) {
    try {
        CronSchedule::parse(expression);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST(CronSchedule, ANightlyJobRunsAtTwoOnTheProjectsClockNotTheServers) {
    const auto nightly = CronSchedule::parse("0 2 * * *");
    // 01:00 in Beijing is 17:00 UTC the day before; 02:00 in Beijing is 18:00 UTC.
    EXPECT_EQ(nightly.next(utc(2026, 12, 4, 17), kChina), utc(2026, 12, 4, 18));
    // Strictly after: at 02:00 itself the next run is tomorrow's.
    EXPECT_EQ(nightly.next(utc(2026, 12, 4, 18), kChina), utc(2026, 12, 5, 18));
    // The same expression on a UTC office.
    EXPECT_EQ(nightly.next(utc(2026, 12, 4, 17), 0), utc(2026, 12, 5, 2));
}

TEST(CronSchedule, ReadsListsRangesAndSteps) {
    const auto everyQuarter = CronSchedule::parse("*/15 9-17 * * *");
    EXPECT_EQ(everyQuarter.next(utc(2026, 12, 4, 9, 1), 0), utc(2026, 12, 4, 9, 15));
    EXPECT_EQ(everyQuarter.next(utc(2026, 12, 4, 17, 45), 0), utc(2026, 12, 5, 9, 0));
    const auto listed = CronSchedule::parse("5,35 8 * * *");
    EXPECT_EQ(listed.next(utc(2026, 12, 4, 8, 6), 0), utc(2026, 12, 4, 8, 35));
    const auto fromFive = CronSchedule::parse("5/20 * * * *"); // 5, 25, 45
    EXPECT_EQ(fromFive.next(utc(2026, 12, 4, 8, 26), 0), utc(2026, 12, 4, 8, 45));
}

TEST(CronSchedule, DaysOfTheWeekCountSundayAsZeroAndSeven) {
    // 2026-12-07 is a Monday.
    const auto mondays = CronSchedule::parse("0 9 * * 1");
    EXPECT_EQ(mondays.next(utc(2026, 12, 4), 0), utc(2026, 12, 7, 9));
    EXPECT_EQ(CronSchedule::parse("0 9 * * 0").next(utc(2026, 12, 4), 0), utc(2026, 12, 6, 9));
    EXPECT_EQ(CronSchedule::parse("0 9 * * 7").next(utc(2026, 12, 4), 0), utc(2026, 12, 6, 9));
    // Both day fields restricted: either one matches (the 10th, or a Monday).
    EXPECT_EQ(CronSchedule::parse("0 9 10 * 1").next(utc(2026, 12, 8), 0), utc(2026, 12, 10, 9));
}

TEST(CronSchedule, MonthEndsAndLeapDays) {
    EXPECT_EQ(CronSchedule::parse("0 0 31 * *").next(utc(2026, 11, 1), 0), utc(2026, 12, 31));
    EXPECT_EQ(CronSchedule::parse("0 0 29 2 *").next(utc(2026, 3, 1), 0), utc(2028, 2, 29));
    // A monthly report at the office's first minute of the month, seen from UTC.
    EXPECT_EQ(CronSchedule::parse("0 0 1 * *").next(utc(2026, 12, 4), kChina), utc(2026, 12, 31, 16));
}

TEST(CronSchedule, RefusesWhatIsNotASchedule) {
    EXPECT_NE(refusal("0 2 * *").find("five fields"), std::string::npos);
    EXPECT_NE(refusal("60 2 * * *").find("minute"), std::string::npos);
    EXPECT_NE(refusal("0 24 * * *").find("hour"), std::string::npos);
    EXPECT_NE(refusal("0 0 0 * *").find("day of the month"), std::string::npos);
    EXPECT_NE(refusal("0 0 * 13 *").find("month"), std::string::npos);
    EXPECT_NE(refusal("0 0 * * 8").find("day of the week"), std::string::npos);
    EXPECT_NE(refusal("*/0 * * * *").find("step"), std::string::npos);
    EXPECT_NE(refusal("5-1 * * * *").find("minute"), std::string::npos);
    EXPECT_NE(refusal("MON * * * *").find("not a number"), std::string::npos);
    EXPECT_NE(refusal("0 0 30 2 *").find("no date"), std::string::npos);
    EXPECT_NE(refusal("-1 * * * *").find("minute"), std::string::npos);
}
