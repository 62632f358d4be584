#include "plugin/CrashGuard.h"

#include <gtest/gtest.h>

#include <csignal>

using anchang::CrashGuard;

// Under AddressSanitizer the sanitizer owns SIGSEGV, so these run in the plain build only.
#if !defined(__SANITIZE_ADDRESS__)

TEST(CrashGuard, ReturnsNothingWhenTheBodyReturns) {
    int ran = 0;
    EXPECT_FALSE(CrashGuard::run([&] { ran = 1; }));
    EXPECT_EQ(ran, 1);
}

TEST(CrashGuard, NamesTheSignalOfACrashAndTheProcessGoesOn) {
    auto crash = CrashGuard::run([] {
        volatile int* nowhere = nullptr;
        *nowhere = 1;
    });
    ASSERT_TRUE(crash);
    EXPECT_EQ(*crash, "SIGSEGV");
    EXPECT_EQ(CrashGuard::run([] { std::abort(); }).value_or(""), "SIGABRT");
    EXPECT_FALSE(CrashGuard::run([] {}));
}

namespace {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winfinite-recursion"
int recurse(int depth) {
    volatile char buffer[4096];
    buffer[0] = static_cast<char>(depth);
    return recurse(depth + 1) + buffer[0];
}
#pragma GCC diagnostic pop
} // namespace

TEST(CrashGuard, SurvivesAStackOverflow) {
    EXPECT_EQ(CrashGuard::run([] { recurse(0); }).value_or(""), "SIGSEGV");
}

#endif
