// The front desk's rotation on the SDK's test host: who receives a new visitor when some
// consultants are still receiving (busy_consultants_wait), and whom a colleague covers with.
// Core's roster is a fake; the register is registration's own tables in memory.
#include "Assignment.h"
#include "LocalDay.h"
#include "Register.h"

#include <anchang/sdk/testing/TestHost.hpp>
#include <gtest/gtest.h>

using anchang::registration::Assignment;
using anchang::registration::LocalDay;
using anchang::registration::Register;
using anchang::sdk::testing::TestHost;

namespace {

constexpr std::int64_t kMinute = 60 * 1000;

struct Rotation : ::testing::Test {
    TestHost test{{.manifest = ANCHANG_REGISTRATION_DIR "/plugin.json"}};
    LocalDay day{test.host()};
    Register visits{test.host(), day};
    Assignment::Options options;
    nlohmann::json roster = {{"consultants",
                              {{{"user_id", 4}, {"name", "张伟"}, {"team", "一组"}, {"status", "on_duty"}, {"weight", 1}},
                               {{"user_id", 5}, {"name", "李娜"}, {"team", "一组"}, {"status", "on_duty"}, {"weight", 1}},
                               {{"user_id", 6}, {"name", "刘洋"}, {"team", "二组"}, {"status", "on_duty"}, {"weight", 1}}}}};

    void SetUp() override {
        test.migrate(ANCHANG_REGISTRATION_DIR "/migrations");
        test.fake("core.roster.get", [this](const nlohmann::json&, std::int64_t) { return roster; });
        test.fake("core.customers.owned", [](const nlohmann::json&, std::int64_t) { return nlohmann::json{{"owned", nlohmann::json::object()}}; });
    }

    /// Whom the desk gives the next visitor to, and that visit stored as the desk stores it.
    Assignment::Decision next(const Assignment& assignment, const nlohmann::json& customer = nullptr) {
        const auto decision = assignment.decide(1, customer, {"王先生", "138****0000", nlohmann::json::object(), std::nullopt, ""});
        if (decision.receiver) store(*decision.receiver, decision.countsTurn);
        return decision;
    }
    std::int64_t store(std::int64_t receiver, bool countsTurn) {
        std::int64_t id = 0;
        test.host().db().transaction([&] {
            id = visits.insert(1, {{"customer_id", nullptr}, {"phone", "13900001111"}, {"phone_source", "typed"}, {"name", "王先生"},
                                   {"gender", nullptr}, {"returning", false}, {"receiver_id", receiver}, {"receiver_name", "x"},
                                   {"owner_id", receiver}, {"owner_name", "x"}, {"on_behalf_of", nullptr}, {"assignment", "rotation"},
                                   {"assignment_reason", ""}, {"counts_turn", countsTurn}, {"questionnaire", nlohmann::json::object()},
                                   {"custom", nlohmann::json::object()}, {"checks", nlohmann::json::object()}, {"source", "natural"},
                                   {"companions", 0}, {"status", "waiting"}, {"registered_by", 1}, {"registered_at", test.now()}});
        });
        test.advance(kMinute);
        return id;
    }
    std::int64_t receivingNow(std::int64_t receiver) { return visits.receiving(1, 0).at(receiver)["id"]; }
};

} // namespace

TEST_F(Rotation, AConsultantStillReceivingWaitsTheirTurnWhileColleaguesAreFree) {
    Assignment assignment(test.host(), day, visits, options);
    EXPECT_EQ(*next(assignment).receiver, 4);
    EXPECT_EQ(*next(assignment).receiver, 5);
    // 张伟 sees his visitor off: free again, but 刘洋 has fewer turns.
    visits.finish(1, receivingNow(4), 4, false);
    EXPECT_EQ(*next(assignment).receiver, 6);
    EXPECT_EQ(*next(assignment).receiver, 4);
    // Everyone is with a visitor: the next waits for whose turn it is (turns, then the longest wait).
    const auto allBusy = next(assignment);
    EXPECT_EQ(*allBusy.receiver, 5);
    EXPECT_NE(allBusy.reason.find("顾问均在接待"), std::string::npos) << allBusy.reason;
}

TEST_F(Rotation, WithoutTheRuleTurnsAloneDecide) {
    options.busyWait = false;
    Assignment assignment(test.host(), day, visits, options);
    EXPECT_EQ(*next(assignment).receiver, 4);
    EXPECT_EQ(*next(assignment).receiver, 5);
    EXPECT_EQ(*next(assignment).receiver, 6);
    EXPECT_EQ(*next(assignment).receiver, 4); // still with the first visitor, yet it is his turn
}

TEST_F(Rotation, AReceptionNobodyClosedStopsCountingAfterItsLimit) {
    Assignment assignment(test.host(), day, visits, options);
    EXPECT_EQ(*next(assignment).receiver, 4);
    EXPECT_EQ(assignment.receiving(1).count(4), 1u);
    test.advance(options.receptionMinutesMax * kMinute);
    EXPECT_EQ(assignment.receiving(1).count(4), 0u);
}

TEST_F(Rotation, AnAbsentOwnersCustomerGoesToAFreeColleagueOfTheirTeamFirst) {
    roster["consultants"].push_back({{"user_id", 7}, {"name", "周婷"}, {"team", "一组"}, {"status", "off_duty"}, {"weight", 1}});
    Assignment assignment(test.host(), day, visits, options);
    EXPECT_EQ(*next(assignment).receiver, 4); // 张伟 (一组) is busy now
    const nlohmann::json customer = {{"id", 9}, {"owner_id", 7}, {"protected", true}};
    const auto covered = next(assignment, customer);
    EXPECT_EQ(covered.method, "covering");
    EXPECT_EQ(*covered.receiver, 5); // 李娜: 周婷's team, and free
    EXPECT_EQ(*covered.onBehalfOf, 7);
    EXPECT_FALSE(covered.countsTurn);
    // Both of 一组 are busy: a free colleague of another team before a busy one of the same.
    EXPECT_EQ(*next(assignment, customer).receiver, 6);
}

TEST_F(Rotation, SeeingOffIsTheReceiversOrAManagersAndHappensOnce) {
    const auto id = store(4, true);
    EXPECT_THROW(visits.finish(1, id, 5, false), anchang::sdk::Error);
    const auto once = visits.finish(1, id, 5, true);
    EXPECT_EQ(once["status"], "received");
    EXPECT_TRUE(once["finished_at"].is_number());
    test.advance(kMinute);
    EXPECT_EQ(visits.finish(1, id, 4, false)["finished_at"], once["finished_at"]);
}
