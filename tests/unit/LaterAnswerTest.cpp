// LaterAnswer: the plugin's answer, the handler's return and the server's hand-over meet in
// any order, and the answer is written exactly once, by whoever comes last.
#include "http/LaterAnswer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using anchang::LaterAnswer;

namespace {

LaterAnswer::Answer ok(const std::string& body) { return {201, "application/json", body}; }

} // namespace

TEST(LaterAnswer, GivenBeforeTheHandlerReturnedIsSentAsUsual) {
    auto later = LaterAnswer::create();
    later->give(ok("early"));
    const auto early = later->takeEarly();
    ASSERT_TRUE(early);
    EXPECT_EQ(early->status, 201);
    EXPECT_EQ(early->body, "early");
    EXPECT_FALSE(later->takeEarly()); // once
}

TEST(LaterAnswer, GivenBeforeTheHandOverIsWrittenByTheHandOver) {
    auto later = LaterAnswer::create();
    EXPECT_FALSE(later->takeEarly());
    later->give(ok("between"));
    std::vector<std::string> written;
    later->handOver([&](LaterAnswer::Answer&& answer) { written.push_back(answer.body); });
    EXPECT_EQ(written, std::vector<std::string>{"between"});
}

TEST(LaterAnswer, GivenAfterTheHandOverIsWrittenByTheGiverOnce) {
    auto later = LaterAnswer::create();
    EXPECT_FALSE(later->takeEarly());
    std::vector<std::string> written;
    later->handOver([&](LaterAnswer::Answer&& answer) { written.push_back(answer.body); });
    EXPECT_TRUE(written.empty());
    later->give(ok("late"));
    later->give(ok("again")); // a second answer is ignored
    EXPECT_EQ(written, std::vector<std::string>{"late"});
}

TEST(LaterAnswer, TheRespondFunctionKeepsItAliveUntilItIsCalled) {
    // The plugin holds only the raw pointer; the server may have let go long before.
    void* ctx = nullptr;
    std::weak_ptr<LaterAnswer> watch;
    {
        auto later = LaterAnswer::create();
        watch = later;
        ctx = later.get();
        EXPECT_FALSE(later->takeEarly());
    }
    ASSERT_FALSE(watch.expired());
    std::thread plugin([ctx] { LaterAnswer::respond(ctx, 99, nullptr, "{}", 2); });
    plugin.join();
    EXPECT_TRUE(watch.expired());
}

TEST(LaterAnswer, AStatusOutsideHttpsRangeBecomes500) {
    auto later = LaterAnswer::create();
    LaterAnswer::respond(later.get(), 99, nullptr, nullptr, 5);
    const auto early = later->takeEarly();
    ASSERT_TRUE(early);
    EXPECT_EQ(early->status, 500);
    EXPECT_EQ(early->contentType, "application/octet-stream");
    EXPECT_EQ(early->body, "");
}

TEST(LaterAnswer, RacingGiverAndHandOverWriteExactlyOnce) {
    for (int round = 0; round < 2000; ++round) {
        auto later = LaterAnswer::create();
        EXPECT_FALSE(later->takeEarly());
        std::atomic<int> written{0};
        std::thread giver([&] { later->give(ok("x")); });
        later->handOver([&](LaterAnswer::Answer&&) { ++written; });
        giver.join();
        ASSERT_EQ(written.load(), 1) << "round " << round;
    }
}
