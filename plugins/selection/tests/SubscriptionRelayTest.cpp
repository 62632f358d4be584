// The relay that asks core for a formal round's subscriptions after the sales are acknowledged,
// on the SDK's test host: selection's real migrations in an in-memory SQLite, core's
// core.deals.subscribe and the kernel's alerts faked. No anchangd, no thread: the test calls
// relayOnce() itself.
#include "SubscriptionRelay.h"

#include <anchang/sdk/testing/TestHost.hpp>
#include <gtest/gtest.h>

#include <set>
#include <string>

using anchang::selection::SubscriptionRelay;
using anchang::sdk::testing::TestHost;

namespace {

struct Relay : ::testing::Test {
    TestHost test;
    std::vector<nlohmann::json> asked;   ///< each core.deals.subscribe's list
    std::vector<nlohmann::json> alerts;  ///< kernel.alert.raise bodies
    std::set<std::int64_t> refusedUnits; ///< core refuses a request naming one of these
    bool coreDown = false;
    std::int64_t nextDeal = 900;

    // A formal round (1) with five sales and a mock round (2) with one, none with a deal yet.
    void SetUp() override {
        test.migrate(ANCHANG_SOURCE_DIR "/plugins/selection/migrations");
        std::string sql =
            "INSERT INTO selection_rounds (id, project_id, name, kind, status, eligible_groups, starts_at, ends_at, batch_size, batch_gap_ms, "
            "household_limit, signing_days, created_by, created_at) VALUES (1, 7, '正式', 'formal', 'drawn', '[]', 0, 1, 0, 0, 1, 7, 1, 0), "
            "(2, 7, '模拟', 'mock', 'drawn', '[]', 0, 1, 0, 0, 1, 7, 1, 0);";
        for (int i = 1; i <= 6; ++i) {
            const std::string n = std::to_string(i);
            sql += "INSERT INTO selection_buyers (id, project_id, buyer_no, name, phone, household, group_code, deposit, deposit_at, status, created_by, "
                   "created_at, customer_id) VALUES (" + n + ", 7, 'A-" + n + "', '买家', '1360000000" + n + "', 'h" + n + "', 'general', 1, 0, 'qualified', 1, 0, " +
                   std::to_string(100 + i) + ");";
            sql += "INSERT INTO selection_selections (id, round_id, buyer_id, unit_id, price, request_id, selected_at, sign_by) VALUES (" + n + ", " +
                   (i == 6 ? "2" : "1") + ", " + n + ", " + std::to_string(500 + i) + ", 3000000, 'r', 0, 604800000);";
        }
        test.sql(sql);
        test.fake("core.deals.subscribe", [this](const nlohmann::json& body, std::int64_t project) {
            EXPECT_EQ(project, 7);
            asked.push_back(body["subscriptions"]);
            if (coreDown) throw anchang::sdk::Error::unavailable("bus.timeout", "core did not answer");
            for (const auto& one : body["subscriptions"])
                if (refusedUnits.count(one["unit_id"].get<std::int64_t>()))
                    throw anchang::sdk::Error::conflict("unit.not_available", "unit " + one["unit_id"].dump() + " is already subscribed or signed");
            nlohmann::json deals = nlohmann::json::array();
            for (const auto& one : body["subscriptions"]) deals.push_back({{"reference", one["reference"]}, {"deal_id", nextDeal++}, {"created", true}});
            return nlohmann::json{{"deals", deals}};
        });
        test.fake("kernel.alert.raise", [this](const nlohmann::json& body, std::int64_t) {
            alerts.push_back(body);
            return nlohmann::json{{"id", 1}};
        });
    }
    std::int64_t withDeal() { return test.host().db().query("SELECT COUNT(*) AS n FROM selection_selections WHERE deal_id IS NOT NULL")[0]["n"]; }
};

} // namespace

TEST_F(Relay, AfterARestartEveryFormalSaleWithoutItsDealIsAskedForOnceInOneRequest) {
    SubscriptionRelay relay(test.host(), false);
    relay.recover();
    EXPECT_EQ(relay.pending(), 5u); // the mock round's sale makes no subscription
    EXPECT_FALSE(relay.relayOnce());
    ASSERT_EQ(asked.size(), 1u);
    ASSERT_EQ(asked[0].size(), 5u);
    EXPECT_EQ(asked[0][0], (nlohmann::json{{"customer_id", 101}, {"unit_id", 501}, {"amount", 3000000}, {"reference", "selection:1"}, {"sign_by", 604800000}}));
    EXPECT_EQ(withDeal(), 5);
    EXPECT_EQ(test.host().db().query("SELECT deal_id FROM selection_selections WHERE id = 3")[0]["deal_id"], 902);
    // Nothing left: a second pass asks nothing, and a second recovery finds nothing.
    EXPECT_FALSE(relay.relayOnce());
    relay.recover();
    EXPECT_EQ(relay.pending(), 0u);
    EXPECT_EQ(asked.size(), 1u);
}

TEST_F(Relay, WhenCoreCannotAnswerTheSalesWaitAndAreAskedForAgain) {
    SubscriptionRelay relay(test.host(), false);
    relay.recover();
    coreDown = true;
    const auto wait = relay.relayOnce();
    ASSERT_TRUE(wait);
    EXPECT_GE(wait->count(), 1000);
    EXPECT_EQ(relay.pending(), 5u);
    EXPECT_EQ(withDeal(), 0);
    coreDown = false;
    EXPECT_FALSE(relay.relayOnce());
    EXPECT_EQ(withDeal(), 5);
    EXPECT_TRUE(alerts.empty());
}

TEST_F(Relay, OneRefusedSaleDoesNotHoldTheOthersAndTheManagersAreTold) {
    SubscriptionRelay relay(test.host(), false);
    refusedUnits = {503};
    relay.add({{7, 1, 101, 501, 3000000, 604800000}, {7, 3, 103, 503, 3000000, 604800000}, {7, 4, 104, 504, 3000000, 604800000}});
    EXPECT_FALSE(relay.relayOnce()); // a refusal is not retried until a restart
    EXPECT_EQ(asked.size(), 4u);     // the batch, then each alone
    EXPECT_EQ(withDeal(), 2);
    EXPECT_TRUE(test.host().db().query("SELECT deal_id FROM selection_selections WHERE id = 3")[0]["deal_id"].is_null());
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0]["kind"], "selection.subscription_refused");
    EXPECT_EQ(alerts[0]["subject"], "selection:3");
    EXPECT_NE(alerts[0]["message"]["zh-CN"].get<std::string>().find("503"), std::string::npos);
    EXPECT_EQ(relay.pending(), 0u);
}
