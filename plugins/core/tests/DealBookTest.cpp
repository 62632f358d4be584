// core.deals.subscribe (DealBook::subscribeFor) on the SDK's test host: core's real migrations
// in an in-memory SQLite, no anchangd. The opening's batches come this way, set by set, and
// must mean exactly what one subscription at a time meant: all or none, each reference once.
#include "DealBook.h"
#include "Inventory.h"

#include <anchang/sdk/testing/TestHost.hpp>
#include <gtest/gtest.h>

#include <string>

using anchang::core::DealBook;
using anchang::core::Inventory;
using anchang::sdk::testing::TestHost;

namespace {

struct Subscriptions : ::testing::Test {
    TestHost test{{.manifest = ANCHANG_CORE_DIR "/plugin.json"}};
    Inventory inventory{test.host()};
    DealBook deals{test.host(), inventory};

    // Forty units reserved for an opening (selected) and forty customers, owner 5 or 6.
    void SetUp() override {
        test.migrate(ANCHANG_CORE_DIR "/migrations");
        std::string sql = "INSERT INTO core_buildings (id, project_id, name, floors) VALUES (1, 1, '1号楼', 20);";
        for (int i = 1; i <= 40; ++i) {
            sql += "INSERT INTO core_units (id, project_id, building_id, floor, number, layout, area, list_price, status) VALUES (" +
                   std::to_string(i) + ", 1, 1, " + std::to_string((i + 1) / 2) + ", '" + std::to_string(100 + i) +
                   "', '三室', 98.0, 3000000, 'selected');";
            sql += "INSERT INTO core_customers (id, project_id, name, owner_id, source, created_at, updated_at) VALUES (" + std::to_string(i) +
                   ", 1, '买家', " + std::to_string(5 + i % 2) + ", 'natural', 0, 0);";
        }
        test.sql(sql);
    }
    static nlohmann::json one(int customer, int unit, const std::string& reference) {
        return {{"customer_id", customer}, {"unit_id", unit}, {"amount", 3000000}, {"reference", reference}, {"sign_by", 1772935200000 + 7 * 86400000}};
    }
    nlohmann::json subscribe(const nlohmann::json& list) { return deals.subscribeFor(1, {{"subscriptions", list}}); }
    std::int64_t count(const std::string& sql) { return test.host().db().query(sql)[0]["n"]; }
};

} // namespace

TEST_F(Subscriptions, ABatchOfThirtyFiveMakesEachDealWithItsOwnerAndDeadlineAndMovesEachUnit) {
    nlohmann::json list = nlohmann::json::array();
    for (int i = 1; i <= 35; ++i) list.push_back(one(i, 41 - i, "selection:" + std::to_string(i))); // more than two statements' worth
    const auto made = subscribe(list)["deals"];
    ASSERT_EQ(made.size(), 35u);
    for (int i = 0; i < 35; ++i) {
        EXPECT_EQ(made[i]["reference"], "selection:" + std::to_string(i + 1)); // in the order asked
        EXPECT_TRUE(made[i]["created"]);
        const auto deal = deals.get(1, made[i]["deal_id"]);
        EXPECT_EQ(deal["customer_id"], i + 1);
        EXPECT_EQ(deal["unit_id"], 40 - i);
        EXPECT_EQ(deal["consultant_id"], 5 + (i + 1) % 2); // the customer's owner
        EXPECT_EQ(deal["sign_by"], 1772935200000 + 7 * 86400000);
        EXPECT_EQ(deal["unit"]["status"], "subscribed");
    }
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM core_units WHERE status = 'subscribed'"), 35);
    // Once committed: a deal.subscribed and a unit.status_changed for each, in order.
    ASSERT_EQ(test.published().size(), 70u);
    EXPECT_EQ(test.published()[0].topic, "deal.subscribed");
    EXPECT_EQ(test.published()[0].body["unit_id"], 40);
    EXPECT_EQ(test.published()[69].topic, "unit.status_changed");
    EXPECT_EQ(test.published()[69].body["unit_id"], 6);
}

TEST_F(Subscriptions, AskedAgainTheSameReferencesGiveTheSameDealsAndChangeNothing) {
    const auto first = subscribe({one(1, 1, "selection:1"), one(2, 2, "selection:2")})["deals"];
    const auto again = subscribe({one(2, 2, "selection:2"), one(3, 3, "selection:3"), one(1, 1, "selection:1")})["deals"];
    EXPECT_EQ(again[0]["deal_id"], first[1]["deal_id"]);
    EXPECT_FALSE(again[0]["created"]);
    EXPECT_TRUE(again[1]["created"]);
    EXPECT_EQ(again[2]["deal_id"], first[0]["deal_id"]);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM core_deals"), 3);
    // A reference twice in one list is one deal, created once.
    const auto twice = subscribe({one(4, 4, "selection:4"), one(4, 4, "selection:4")})["deals"];
    EXPECT_EQ(twice[0]["deal_id"], twice[1]["deal_id"]);
    EXPECT_TRUE(twice[0]["created"]);
    EXPECT_FALSE(twice[1]["created"]);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM core_deals"), 4);
}

TEST_F(Subscriptions, OneBadSubscriptionRefusesTheWholeBatchAndLeavesNothing) {
    const auto refused = [&](const nlohmann::json& list) {
        try {
            subscribe(list);
        } catch (const anchang::sdk::Error& e) {
            return e.code();
        }
        return std::string("accepted");
    };
    subscribe(nlohmann::json::array({one(1, 1, "selection:1")}));
    const auto before = count("SELECT COUNT(*) AS n FROM core_deals");
    nlohmann::json good = nlohmann::json::array();
    for (int i = 10; i < 30; ++i) good.push_back(one(i, i, "selection:" + std::to_string(i)));
    const auto with = [&](const nlohmann::json& bad) {
        auto list = good;
        list.insert(list.begin() + 17, bad);
        return list;
    };
    EXPECT_EQ(refused(with(one(99, 35, "selection:99"))), "customer.not_found");
    EXPECT_EQ(refused(with(one(35, 1, "selection:35"))), "unit.not_available");       // subscribed already
    EXPECT_EQ(refused(with(one(35, 12, "selection:35"))), "unit.not_available");      // the batch's unit 12, twice
    EXPECT_EQ(refused(with(one(35, 35, "selection:1"))), "deal.reference_taken");     // another unit's reference
    EXPECT_EQ(refused(with(one(35, 99, "selection:35"))), "unit.not_available");      // no such unit
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM core_deals"), before);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM core_units WHERE status = 'subscribed'"), 1);
    // Another project's customer is not this project's.
    test.sql("INSERT INTO core_customers (id, project_id, name, owner_id, source, created_at, updated_at) VALUES (77, 2, '别家', 5, 'natural', 0, 0)");
    EXPECT_EQ(refused(nlohmann::json::array({one(77, 36, "selection:77")})), "customer.not_found");
    EXPECT_EQ(refused(nlohmann::json::array()), "deal.invalid");
}
