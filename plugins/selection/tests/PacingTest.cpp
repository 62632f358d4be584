// Pacing at its edges: the start's millisecond, a batch's head start, the end.
#include "Pacing.h"

#include <gtest/gtest.h>

using anchang::selection::Pacing;

namespace {
constexpr std::int64_t kStart = 1'800'000'000'000, kEnd = kStart + 3'600'000;
}

TEST(Pacing, EveryoneAtOnceOpensAtTheStartAndClosesAtTheEnd) {
    const Pacing p({kStart, kEnd, 0, 0});
    EXPECT_EQ(p.batchOf(1), 0);
    EXPECT_EQ(p.batchOf(9999), 0);
    EXPECT_EQ(p.gate(9999, kStart - 1), Pacing::Gate::NotYet);
    EXPECT_EQ(p.gate(9999, kStart), Pacing::Gate::Open);
    EXPECT_EQ(p.gate(1, kEnd - 1), Pacing::Gate::Open);
    EXPECT_EQ(p.gate(1, kEnd), Pacing::Gate::Closed);
    EXPECT_EQ(p.batchesOpen(10000, kStart - 1), 0);
    EXPECT_EQ(p.batchesOpen(10000, kStart), 1);
}

TEST(Pacing, BatchesOpenInLotteryOrderEachWithItsHeadStart) {
    const Pacing p({kStart, kEnd, 100, 60'000}); // 100 buyers a minute
    EXPECT_EQ(p.batchOf(1), 0);
    EXPECT_EQ(p.batchOf(100), 0);
    EXPECT_EQ(p.batchOf(101), 1);
    EXPECT_EQ(p.opensAt(101), kStart + 60'000);
    // The 101st buyer waits out the first batch's head start to the millisecond.
    EXPECT_EQ(p.gate(101, kStart + 59'999), Pacing::Gate::NotYet);
    EXPECT_EQ(p.gate(101, kStart + 60'000), Pacing::Gate::Open);
    // An earlier batch stays open after later ones join.
    EXPECT_EQ(p.gate(1, kStart + 30 * 60'000), Pacing::Gate::Open);
    EXPECT_EQ(p.batchesOpen(250, kStart), 1);
    EXPECT_EQ(p.batchesOpen(250, kStart + 60'000), 2);
    EXPECT_EQ(p.batchesOpen(250, kStart + 10 * 60'000), 3); // only three batches exist
    // A batch that would open after the end never opens.
    const Pacing late({kStart, kStart + 60'000, 1, 60'000});
    EXPECT_EQ(late.gate(2, kStart + 60'000), Pacing::Gate::Closed);
}
