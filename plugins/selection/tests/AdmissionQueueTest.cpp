// The waiting room: arrival order, places kept, idle places freed, capacity 0 lets everyone in.
#include "AdmissionQueue.h"

#include <gtest/gtest.h>

using anchang::selection::AdmissionQueue;

TEST(AdmissionQueue, WithoutCapacityEveryoneIsIn) {
    AdmissionQueue q(0, 30'000);
    for (std::int64_t b = 1; b <= 1000; ++b) EXPECT_TRUE(q.enter(b, 0).admitted);
    EXPECT_EQ(q.waiting(), 0);
}

TEST(AdmissionQueue, BuyersWaitInArrivalOrderAndSeeHowManyAreAhead) {
    AdmissionQueue q(2, 30'000);
    EXPECT_TRUE(q.enter(10, 0).admitted);
    EXPECT_TRUE(q.enter(11, 1).admitted);
    const auto third = q.enter(12, 2), fourth = q.enter(13, 3);
    EXPECT_FALSE(third.admitted);
    EXPECT_EQ(third.ahead, 0);
    EXPECT_EQ(fourth.ahead, 1);
    EXPECT_EQ(fourth.waiting, 2);
    // Asking again keeps one's place; nobody jumps ahead by asking often.
    EXPECT_EQ(q.enter(13, 4).ahead, 1);
    EXPECT_EQ(q.enter(14, 5).ahead, 2);
    // A buyer who chose all they may leaves: the first in line comes in, the others move up.
    q.leave(10, 6);
    EXPECT_TRUE(q.enter(12, 7).admitted);
    EXPECT_EQ(q.enter(13, 8).ahead, 0);
    EXPECT_EQ(q.inHall(), 2);
}

TEST(AdmissionQueue, AnIdlePlaceGoesToTheNextInLineAtItsLastMillisecond) {
    AdmissionQueue q(1, 30'000);
    EXPECT_TRUE(q.enter(1, 0).admitted);
    EXPECT_FALSE(q.enter(2, 1).admitted);
    EXPECT_FALSE(q.enter(2, 29'999).admitted); // buyer 1's place holds for 30 s
    EXPECT_TRUE(q.enter(2, 30'000).admitted);
    // Buyer 1 comes back after their place lapsed: to the end of the line.
    const auto back = q.enter(1, 30'001);
    EXPECT_FALSE(back.admitted);
    EXPECT_EQ(back.ahead, 0);
}
