// SignInCodes on a real SQLite file with the kernel's test clock: lifetime, replacement, the
// limits, and the two races that matter — parallel guesses share the tries, and of parallel
// checks with the right code exactly one signs in.
#include "auth/SignInCodes.h"
#include "clock/KernelClock.h"
#include "store/KernelMigrations.h"
#include "store/Migrator.h"
#include "store/SqliteStore.h"
#include "support/TempDir.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

using anchang::KernelClock;
using anchang::SignInCodes;
using Check = SignInCodes::Check;

namespace {

struct SignInCodesTest : ::testing::Test {
    anchang::test::TempDir dir;
    anchang::SqliteStore store{{dir.file("codes.db")}};
    KernelClock clock{true};
    SignInCodes codes{store, clock, "a-test-key-of-32-bytes-----------"};
    void SetUp() override {
        anchang::Migrator(store).apply("kernel", anchang::kernelMigrations());
        clock.set(1'800'000'000'000, true);
    }
    static std::string other(const std::string& code) { return code == "000000" ? "000001" : "000000"; }
};

} // namespace

TEST_F(SignInCodesTest, ACodeIsSixDigitsBoundToPhoneProjectAndRoleAndSpentOnce) {
    const auto issued = codes.issue("13900000001", 1, "buyer", "10.0.0.1");
    ASSERT_EQ(issued.code.size(), 6u);
    EXPECT_EQ(codes.verify("13900000001", 2, "buyer", issued.code), Check::Invalid);
    EXPECT_EQ(codes.verify("13900000001", 1, "channel_agent", issued.code), Check::Invalid);
    EXPECT_EQ(codes.verify("13900000002", 1, "buyer", issued.code), Check::Invalid);
    EXPECT_EQ(codes.verify("13900000001", 1, "buyer", issued.code), Check::Accepted);
    EXPECT_EQ(codes.verify("13900000001", 1, "buyer", issued.code), Check::Invalid);
    // Only the HMAC is stored.
    const auto rows = store.query("SELECT code_hash FROM kernel_sign_in_codes").rows;
    EXPECT_EQ(rows[0]["code_hash"].get<std::string>().find(issued.code), std::string::npos);
}

TEST_F(SignInCodesTest, LivesFiveMinutes) {
    const auto issued = codes.issue("13900000001", 1, "buyer", "10.0.0.1");
    clock.advance(5 * 60 * 1000 - 1);
    EXPECT_EQ(codes.verify("13900000001", 1, "buyer", other(issued.code)), Check::Wrong);
    clock.advance(1);
    EXPECT_EQ(codes.verify("13900000001", 1, "buyer", issued.code), Check::Invalid);
}

TEST_F(SignInCodesTest, LimitsAskingPerPhoneAndPerAddress) {
    ASSERT_FALSE(codes.issue("13900000001", 1, "buyer", "10.0.0.1").code.empty());
    auto refused = codes.issue("13900000001", 1, "buyer", "10.0.0.1");
    EXPECT_TRUE(refused.code.empty());
    EXPECT_EQ(refused.retryAfterS, 60);
    clock.advance(30'000);
    EXPECT_EQ(codes.issue("13900000001", 2, "buyer", "10.0.0.9").retryAfterS, 30); // per phone, whatever the project
    for (int i = 0; i < 4; ++i) {
        clock.advance(60'000);
        ASSERT_FALSE(codes.issue("13900000001", 1, "buyer", "10.0.0.1").code.empty()) << i;
    }
    clock.advance(60'000);
    // The fifth was 4.5 minutes ago: the first leaves the hour's window in 55.5 minutes.
    EXPECT_EQ(codes.issue("13900000001", 1, "buyer", "10.0.0.2").retryAfterS, 60 * 60 - 4 * 60 - 60 - 30);
    for (int i = 0; i < 15; ++i) ASSERT_FALSE(codes.issue("1380000" + std::to_string(1000 + i), 1, "buyer", "10.0.0.1").code.empty()) << i;
    EXPECT_TRUE(codes.issue("13700000000", 1, "buyer", "10.0.0.1").code.empty());
    EXPECT_FALSE(codes.issue("13700000000", 1, "buyer", "10.0.0.3").code.empty());
}

TEST_F(SignInCodesTest, ParallelGuessesShareTheFiveTries) {
    const auto issued = codes.issue("13900000001", 1, "buyer", "10.0.0.1");
    std::atomic<int> wrong{0}, exhausted{0};
    std::vector<std::thread> guessers;
    for (int t = 0; t < 8; ++t)
        guessers.emplace_back([&] {
            for (int i = 0; i < 5; ++i) {
                const auto check = codes.verify("13900000001", 1, "buyer", other(issued.code));
                (check == Check::Wrong ? wrong : exhausted)++;
            }
        });
    for (auto& g : guessers) g.join();
    EXPECT_EQ(wrong.load(), 5);
    EXPECT_EQ(exhausted.load(), 35);
    EXPECT_EQ(codes.verify("13900000001", 1, "buyer", issued.code), Check::Exhausted);
}

TEST_F(SignInCodesTest, OfParallelChecksWithTheRightCodeOneSignsIn) {
    const auto issued = codes.issue("13900000001", 1, "buyer", "10.0.0.1");
    std::atomic<int> accepted{0};
    std::vector<std::thread> checkers;
    for (int t = 0; t < 4; ++t)
        checkers.emplace_back([&] {
            if (codes.verify("13900000001", 1, "buyer", issued.code) == Check::Accepted) ++accepted;
        });
    for (auto& c : checkers) c.join();
    EXPECT_EQ(accepted.load(), 1);
}

TEST_F(SignInCodesTest, ANewCodeReplacesTheOld) {
    const auto first = codes.issue("13900000001", 1, "buyer", "10.0.0.1");
    clock.advance(60'000);
    const auto second = codes.issue("13900000001", 1, "buyer", "10.0.0.1");
    if (first.code != second.code) {
        EXPECT_EQ(codes.verify("13900000001", 1, "buyer", first.code), Check::Wrong);
    }
    EXPECT_EQ(codes.verify("13900000001", 1, "buyer", second.code), Check::Accepted);
}
