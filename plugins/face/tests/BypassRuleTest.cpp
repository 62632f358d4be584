// BypassRule: which match is a possible bypass, and which earlier visit proves it.
#include "BypassRule.h"

#include <gtest/gtest.h>

using namespace anchang::face;

namespace {

constexpr std::int64_t kDay = 24LL * 3600 * 1000;

Sighting seen(std::int64_t id, const std::string& phone, const std::string& source, std::int64_t day, float distance, std::int64_t customer = 0) {
    return {id, phone, customer, source, day * kDay, distance};
}

} // namespace

TEST(BypassRule, AChannelVisitorWhoCameOnTheirOwnBeforeIsFlaggedAgainstTheEarliestNaturalVisit) {
    const BypassRule rule(0.5f);
    const Sighting current = seen(10, "13800000002", "channel", 20, 0, 7);
    const auto finding = rule.atVisit(current, {seen(3, "13800000001", "natural", 9, 0.41f), seen(2, "13800000001", "natural", 5, 0.44f),
                                                seen(4, "13800000003", "channel", 8, 0.30f)});
    ASSERT_TRUE(finding);
    EXPECT_EQ(finding->rule, "channel_after_natural");
    EXPECT_EQ(finding->earlier.captureId, 2); // the earliest, not the nearest
}

TEST(BypassRule, AMatchAboveTheThresholdRaisesNothing) {
    const BypassRule rule(0.5f);
    const Sighting current = seen(10, "13800000002", "channel", 20, 0);
    EXPECT_FALSE(rule.atVisit(current, {seen(2, "13800000001", "natural", 5, 0.5001f)}));
    // Exactly at the threshold counts: the calibrated limit is inclusive.
    EXPECT_TRUE(rule.atVisit(current, {seen(2, "13800000001", "natural", 5, 0.5f)}));
}

TEST(BypassRule, OnlyEarlierVisitsCountAndNeverThePhotoItself) {
    const BypassRule rule(0.5f);
    const Sighting current = seen(10, "13800000002", "channel", 20, 0);
    EXPECT_FALSE(rule.atVisit(current, {seen(10, "13800000002", "channel", 20, 0), seen(11, "13800000001", "natural", 21, 0.2f),
                                        seen(12, "13800000001", "natural", 20, 0.2f)}));
}

TEST(BypassRule, TheSameFaceUnderAnotherPhoneIsOtherPhoneEvenWithoutAChannel) {
    const BypassRule rule(0.5f);
    const auto finding = rule.atVisit(seen(10, "13800000002", "natural", 20, 0, 8), {seen(2, "13800000001", "natural", 5, 0.3f, 7)});
    ASSERT_TRUE(finding);
    EXPECT_EQ(finding->rule, "other_phone");
}

TEST(BypassRule, ARevisitUnderTheSamePhoneOrTheSameCustomerIsNoAlert) {
    const BypassRule rule(0.5f);
    EXPECT_FALSE(rule.atVisit(seen(10, "13800000001", "natural", 20, 0, 7), {seen(2, "13800000001", "natural", 5, 0.3f, 7)}));
    // A household member's phone: the same customer in core.
    EXPECT_FALSE(rule.atVisit(seen(10, "13800000009", "natural", 20, 0, 7), {seen(2, "13800000001", "natural", 5, 0.3f, 7)}));
}

TEST(BypassRule, AChannelVisitAfterAnotherChannelsVisitUnderAnotherPhoneIsOtherPhone) {
    const BypassRule rule(0.5f);
    const auto finding = rule.atVisit(seen(10, "13800000002", "channel", 20, 0), {seen(2, "13800000001", "channel", 5, 0.3f)});
    ASSERT_TRUE(finding);
    EXPECT_EQ(finding->rule, "other_phone");
}

TEST(BypassRule, ACoBuyerWhoCameOnTheirOwnBeforeTheChannelsVisitIsFlagged) {
    const BypassRule rule(0.5f);
    // The co-buyer's own photo at the subscription (day 40) matches a natural visit on day 3;
    // the channel brought the buyer on day 10.
    const auto finding = rule.atSubscription(10 * kDay, {seen(30, "13900000005", "", 40, 0), seen(5, "13900000005", "natural", 3, 0.38f),
                                                         seen(6, "13900000005", "natural", 12, 0.2f)});
    ASSERT_TRUE(finding);
    EXPECT_EQ(finding->rule, "cobuyer_earlier_visit");
    EXPECT_EQ(finding->earlier.captureId, 5);
}

TEST(BypassRule, ACoBuyerSeenOnlyAfterTheChannelsVisitIsNoAlert) {
    const BypassRule rule(0.5f);
    EXPECT_FALSE(rule.atSubscription(10 * kDay, {seen(30, "13900000005", "", 40, 0), seen(6, "13900000005", "natural", 12, 0.2f),
                                                 seen(7, "13900000006", "natural", 2, 0.7f)}));
}

TEST(BypassRule, SimilarityReadsOneForTheSamePhotoAndHalfAtTheThreshold) {
    const BypassRule rule(0.5f);
    EXPECT_FLOAT_EQ(rule.similarity(0), 1.0f);
    EXPECT_FLOAT_EQ(rule.similarity(0.5f), 0.5f);
    EXPECT_FLOAT_EQ(rule.similarity(2.0f), 0.0f);
}
