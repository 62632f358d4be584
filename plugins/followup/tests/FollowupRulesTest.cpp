// The protection clock and the grades' tasks, at their edges, with times the test names.
#include "GradePlan.h"
#include "ProtectionClock.h"

#include <gtest/gtest.h>

using namespace anchang::followup;

namespace {

constexpr std::int64_t kDay = ProtectionClock::kDayMs;
constexpr std::int64_t kHour = 3600 * 1000;
// 2026-12-07 00:00 in Hangzhou (UTC+8) is a Monday: 2026-12-06T16:00Z.
constexpr std::int64_t kMondayMidnight = 1796601600000 - 8 * kHour;

} // namespace

TEST(ProtectionClock, AValidFollowUpExtendsToNowPlusThePeriodUpToTheHardMaximum) {
    const ProtectionClock clock({.extendDays = 30, .maxDays = 90, .validMinChars = 10});
    const std::int64_t since = 0;
    EXPECT_EQ(clock.extended(since, 30 * kDay, 10 * kDay), 40 * kDay);           // day 10: to day 40
    EXPECT_EQ(clock.extended(since, 40 * kDay, 10 * kDay), std::nullopt);       // the same day again: no further
    EXPECT_EQ(clock.extended(since, 80 * kDay, 70 * kDay), 90 * kDay);          // capped at the hard maximum
    EXPECT_EQ(clock.extended(since, 90 * kDay, 89 * kDay), std::nullopt);       // at the maximum already
    EXPECT_EQ(clock.extended(since, std::nullopt, 95 * kDay), std::nullopt);    // past it: the clock has run out
    EXPECT_EQ(clock.extended(since, 90 * kDay - 1, 90 * kDay - 2), 90 * kDay);  // the last millisecond still counts
    EXPECT_EQ(clock.extended(since, 100 * kDay, 10 * kDay), std::nullopt);      // never shortened
}

TEST(ProtectionClock, AFollowUpIsValidWhenItSaysSomethingCountedInCharacters) {
    const ProtectionClock clock({.extendDays = 30, .maxDays = 90, .validMinChars = 10});
    EXPECT_TRUE(clock.valid("客户周六带父母来看样板间"));   // 12 characters, 36 bytes
    EXPECT_FALSE(clock.valid("已联系，客户在考虑"));          // 9 characters
    EXPECT_FALSE(clock.valid("ok        ok"));              // spaces say nothing
    EXPECT_TRUE(clock.valid("called, wants 3 rooms"));
}

TEST(GradePlan, ARevisitInThreeDaysAWeeklyListDueSundayNightAMonthlyListDueAtMonthsEnd) {
    const GradePlan plan(3, 480);
    const std::int64_t wednesdayNoon = kMondayMidnight + 2 * kDay + 12 * kHour;
    const auto a = plan.taskFor("A", wednesdayNoon);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->kind, "revisit");
    EXPECT_EQ(a->dueAt, wednesdayNoon + 3 * kDay);
    EXPECT_EQ(a->period, "2026-12-09");
    const auto b = plan.taskFor("B", wednesdayNoon);
    EXPECT_EQ(b->period, "2026-W50");
    EXPECT_EQ(b->dueAt, kMondayMidnight + 7 * kDay - 1); // Sunday 23:59:59.999 in Hangzhou
    // Sunday night at 23:30 local is still that week; Monday 00:00 is the next.
    EXPECT_EQ(plan.weekly(kMondayMidnight + 7 * kDay - 30 * 60 * 1000).period, "2026-W50");
    EXPECT_EQ(plan.weekly(kMondayMidnight + 7 * kDay).period, "2026-W51");
    const auto c = plan.taskFor("C", wednesdayNoon);
    EXPECT_EQ(c->period, "2026-12");
    EXPECT_EQ(c->dueAt, 1798761600000 - 8 * kHour - 1); // 2027-01-01 00:00 Hangzhou, less a millisecond
    EXPECT_FALSE(plan.taskFor("D", wednesdayNoon));
    EXPECT_EQ(plan.dayEnd(wednesdayNoon), kMondayMidnight + 3 * kDay - 1);
}

TEST(GradePlan, TheOfficesWeekNotTheServersWhenUtcSaysSunday) {
    const GradePlan plan(3, 480);
    // Monday 01:00 in Hangzhou is still Sunday 17:00 UTC: the office's week has turned.
    EXPECT_EQ(plan.weekly(kMondayMidnight + kHour).period, "2026-W50");
    EXPECT_EQ(plan.weekly(kMondayMidnight - kHour).period, "2026-W49");
    // ISO weeks: 2027-01-01 is a Friday, in week 53 of 2026.
    EXPECT_EQ(plan.weekly(1798761600000 - 8 * kHour + 12 * kHour).period, "2026-W53");
}
