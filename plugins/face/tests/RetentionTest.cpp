// RetentionPolicy and ConsentWindow: what the kernel's clock makes of the configured days and
// minutes, to the millisecond.
#include "ConsentWindow.h"
#include "RetentionPolicy.h"

#include <gtest/gtest.h>

using namespace anchang::face;

TEST(RetentionPolicy, NoPhotoIsKeptByDefault) {
    const RetentionPolicy policy(0, 365);
    EXPECT_FALSE(policy.keepsPhotos());
    EXPECT_FALSE(policy.photoUntil(1'000));
}

TEST(RetentionPolicy, PhotosAndEmbeddingsExpireOnTheirDayNotADayLater) {
    const RetentionPolicy policy(7, 30);
    const std::int64_t at = 1'780'000'000'000;
    ASSERT_TRUE(policy.photoUntil(at));
    EXPECT_EQ(*policy.photoUntil(at), at + 7 * RetentionPolicy::kDayMs);
    EXPECT_EQ(policy.embeddingUntil(at), at + 30 * RetentionPolicy::kDayMs);
    EXPECT_FALSE(RetentionPolicy::expired(*policy.photoUntil(at), *policy.photoUntil(at) - 1));
    EXPECT_TRUE(RetentionPolicy::expired(*policy.photoUntil(at), *policy.photoUntil(at)));
}

TEST(ConsentWindow, AConsentCoversTenMinutesOfPhotosAndNothingBeforeIt) {
    const std::int64_t at = 1'780'000'000'000;
    EXPECT_TRUE(ConsentWindow::covers(at, at));
    EXPECT_TRUE(ConsentWindow::covers(at, at + ConsentWindow::kCaptureMs));
    EXPECT_FALSE(ConsentWindow::covers(at, at + ConsentWindow::kCaptureMs + 1));
    EXPECT_FALSE(ConsentWindow::covers(at, at - 1));
}

TEST(ConsentWindow, ACameraFrameIsAConsentsOnlyOnceAndOnlyWithinTwoMinutes) {
    const std::int64_t at = 1'780'000'000'000;
    EXPECT_TRUE(ConsentWindow::cameraMayUse(at, false, at + ConsentWindow::kCameraMs));
    EXPECT_FALSE(ConsentWindow::cameraMayUse(at, false, at + ConsentWindow::kCameraMs + 1));
    EXPECT_FALSE(ConsentWindow::cameraMayUse(at, true, at + 1));
}
