// The sale ledger on the SDK's test host: selection's real migrations in an in-memory SQLite, no
// anchangd. Sets of sixteen must mean exactly what one sale at a time meant: each unit sold once,
// each buyer and household within its limit, board versions without gaps in arrival order, and a
// refusal costing nobody else their sale.
#include "SaleLedger.h"

#include <anchang/sdk/Error.hpp>
#include <anchang/sdk/testing/TestHost.hpp>
#include <gtest/gtest.h>

#include <memory>
#include <string>

using anchang::selection::SaleLedger;
using anchang::sdk::testing::TestHost;

namespace {

struct Ledger : ::testing::Test {
    TestHost test;
    SaleLedger ledger{test.host()};
    std::vector<std::unique_ptr<SaleLedger::Sale>> sales;

    // Rounds 1 and 2 open, round 3 closed; forty units (501…540) and forty buyers (1…40, limit 1,
    // buyer 40's limit 2) in each; households h1…h40, except buyers 38 and 39 share "twins".
    void SetUp() override {
        test.migrate(ANCHANG_SOURCE_DIR "/plugins/selection/migrations");
        std::string sql;
        for (int round = 1; round <= 3; ++round)
            sql += "INSERT INTO selection_rounds (id, project_id, name, kind, status, eligible_groups, starts_at, ends_at, batch_size, batch_gap_ms, "
                   "household_limit, signing_days, created_by, created_at) VALUES (" +
                   std::to_string(round) + ", 7, '轮', 'formal', '" + (round == 3 ? "closed" : "drawn") + "', '[]', 0, 1, 0, 0, 1, 7, 1, 0);";
        for (int i = 1; i <= 40; ++i) {
            const std::string n = std::to_string(i), household = i == 38 || i == 39 ? "twins" : "h" + n;
            sql += "INSERT INTO selection_buyers (id, project_id, buyer_no, name, phone, household, group_code, deposit, deposit_at, status, created_by, "
                   "created_at, unit_limit) VALUES (" + n + ", 7, 'A-" + n + "', '买家', '136000000" + (i < 10 ? "0" : "") + n + "', '" + household +
                   "', 'general', 1, 0, 'qualified', 1, 0, " + (i == 40 ? "2" : "1") + ");";
            for (int round = 1; round <= 3; ++round) {
                const std::string r = std::to_string(round);
                sql += "INSERT INTO selection_entries (round_id, buyer_id, priority, seq, batch) VALUES (" + r + ", " + n + ", 1, " + n + ", 1);";
                sql += "INSERT INTO selection_units (round_id, unit_id, building, floor, number, layout, area, price, status) VALUES (" + r + ", " +
                       std::to_string(500 + i) + ", '1号楼', 1, '" + n + "', '三室', 98.0, 3000000, 'available');";
                if (i != 39) sql += "INSERT INTO selection_households (round_id, household) VALUES (" + r + ", '" + household + "');";
            }
        }
        test.sql(sql);
    }
    SaleLedger::Sale& sale(int buyer, int unit, int round = 1, int householdLimit = 1) {
        auto s = std::make_unique<SaleLedger::Sale>();
        s->round = round;
        s->buyer = buyer;
        s->limit = buyer == 40 ? 2 : 1;
        s->household = buyer == 38 || buyer == 39 ? "twins" : "h" + std::to_string(buyer);
        s->householdLimit = householdLimit;
        s->unit = unit;
        s->price = 3000000;
        s->requestId = "r" + std::to_string(sales.size());
        s->at = 1000;
        s->signBy = 1000 + 7 * 86400000LL;
        sales.push_back(std::move(s));
        return *sales.back();
    }
    void write() {
        std::vector<SaleLedger::Sale*> batch;
        for (const auto& s : sales) batch.push_back(s.get());
        test.host().db().transaction([&] { ledger.write(batch); });
    }
    static std::string refusal(const SaleLedger::Sale& s) {
        if (!s.failure) return "";
        try {
            std::rethrow_exception(s.failure);
        } catch (const anchang::sdk::Error& e) {
            return e.code();
        } catch (...) {
            return "not an sdk::Error";
        }
    }
    std::int64_t count(const std::string& sql) { return test.host().db().query(sql)[0]["n"]; }
};

} // namespace

TEST_F(Ledger, ThirtyFiveSalesAcrossThreeSetsHoldEachWithItsVersionInArrivalOrder) {
    for (int i = 1; i <= 35; ++i) sale(i, 541 - i);
    write();
    for (int i = 0; i < 35; ++i) {
        const auto& s = *sales[i];
        EXPECT_EQ(refusal(s), "") << i;
        EXPECT_EQ(s.version, i + 1);
        const auto row = test.host().db().query("SELECT * FROM selection_selections WHERE id = ?", {s.selection});
        ASSERT_EQ(row.size(), 1u);
        EXPECT_EQ(row[0]["unit_id"], s.unit); // each id is its own sale's, whatever order RETURNING chose
        EXPECT_EQ(row[0]["buyer_id"], s.buyer);
        EXPECT_EQ(row[0]["request_id"], s.requestId);
        EXPECT_EQ(row[0]["sign_by"], s.signBy);
        EXPECT_EQ(test.host().db().query("SELECT version FROM selection_units WHERE round_id = 1 AND unit_id = ?", {s.unit})[0]["version"], i + 1);
    }
    EXPECT_EQ(count("SELECT version AS n FROM selection_rounds WHERE id = 1"), 35);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM selection_units WHERE round_id = 1 AND status = 'sold'"), 35);
    EXPECT_EQ(count("SELECT SUM(selected) AS n FROM selection_entries WHERE round_id = 1"), 35);
    EXPECT_EQ(count("SELECT SUM(selected) AS n FROM selection_households WHERE round_id = 1"), 35);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM selection_units WHERE round_id = 2 AND status = 'sold'"), 0);
}

TEST_F(Ledger, AUnitAlreadySoldRefusesItsSaleAloneAndTheOthersKeepGaplessVersions) {
    test.sql("UPDATE selection_units SET status = 'sold', version = 0 WHERE round_id = 1 AND unit_id = 505");
    for (int i = 1; i <= 10; ++i) sale(i, 500 + i);
    write();
    std::int64_t version = 0;
    for (const auto& s : sales) {
        if (s->unit == 505) {
            EXPECT_EQ(refusal(*s), "selection.sold");
            EXPECT_EQ(s->selection, 0);
            continue;
        }
        EXPECT_EQ(refusal(*s), "");
        EXPECT_EQ(s->version, ++version); // the refusal took no version
    }
    EXPECT_EQ(count("SELECT version AS n FROM selection_rounds WHERE id = 1"), 9);
    EXPECT_EQ(count("SELECT selected AS n FROM selection_entries WHERE round_id = 1 AND buyer_id = 5"), 0);
    EXPECT_EQ(count("SELECT selected AS n FROM selection_households WHERE round_id = 1 AND household = 'h5'"), 0);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM selection_selections"), 9);
}

TEST_F(Ledger, ABuyerAtTheLimitIsRefusedAloneInTheMiddleOfASet) {
    test.sql("UPDATE selection_entries SET selected = 1 WHERE round_id = 1 AND buyer_id = 3");
    for (int i = 1; i <= 6; ++i) sale(i, 500 + i);
    write();
    for (const auto& s : sales) EXPECT_EQ(refusal(*s), s->buyer == 3 ? "selection.limit_reached" : "") << s->buyer;
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM selection_units WHERE round_id = 1 AND status = 'sold'"), 5);
    EXPECT_EQ(count("SELECT status = 'available' AS n FROM selection_units WHERE round_id = 1 AND unit_id = 503"), 1);
}

TEST_F(Ledger, AHouseholdTwiceInABatchCountsItsFirstSaleBeforeItsSecond) {
    sale(38, 501);
    sale(1, 502);
    sale(39, 503); // buyer 38's household, limit 1: refused
    sale(2, 504);
    write();
    EXPECT_EQ(refusal(*sales[0]), "");
    EXPECT_EQ(refusal(*sales[1]), "");
    EXPECT_EQ(refusal(*sales[2]), "selection.household_limit");
    EXPECT_EQ(refusal(*sales[3]), "");
    EXPECT_EQ(sales[3]->version, 3);
    EXPECT_EQ(count("SELECT selected AS n FROM selection_households WHERE round_id = 1 AND household = 'twins'"), 1);
}

TEST_F(Ledger, AHouseholdOfTwoAndABuyerOfTwoEachGetBothTheirUnits) {
    sale(38, 501, 1, 2);
    sale(39, 502, 1, 2);
    sale(40, 503, 1, 2);
    sale(40, 504, 1, 2);
    write();
    for (const auto& s : sales) EXPECT_EQ(refusal(*s), "");
    EXPECT_EQ(count("SELECT selected AS n FROM selection_households WHERE round_id = 1 AND household = 'twins'"), 2);
    EXPECT_EQ(count("SELECT selected AS n FROM selection_entries WHERE round_id = 1 AND buyer_id = 40"), 2);
    EXPECT_EQ(count("SELECT version AS n FROM selection_rounds WHERE id = 1"), 4);
}

TEST_F(Ledger, OneUnitAskedTwiceInABatchIsSoldToTheFirst) {
    sale(1, 501);
    sale(2, 501);
    write();
    EXPECT_EQ(refusal(*sales[0]), "");
    EXPECT_EQ(refusal(*sales[1]), "selection.sold");
    EXPECT_EQ(count("SELECT buyer_id AS n FROM selection_selections WHERE unit_id = 501"), 1);
}

TEST_F(Ledger, RoundsInOneBatchKeepTheirOwnVersionsAndAClosedRoundSellsNothing) {
    sale(1, 501, 1);
    sale(1, 501, 2);
    sale(2, 502, 3);
    sale(2, 502, 1);
    sale(3, 503, 2);
    write();
    EXPECT_EQ(refusal(*sales[0]), "");
    EXPECT_EQ(refusal(*sales[1]), "");
    EXPECT_EQ(refusal(*sales[2]), "selection.not_open");
    EXPECT_EQ(refusal(*sales[3]), "");
    EXPECT_EQ(refusal(*sales[4]), "");
    EXPECT_EQ(sales[0]->version, 1);
    EXPECT_EQ(sales[3]->version, 2);
    EXPECT_EQ(sales[1]->version, 1);
    EXPECT_EQ(sales[4]->version, 2);
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM selection_selections WHERE round_id = 3"), 0);
}

TEST_F(Ledger, ARequestIdUsedBeforeFailsThatSaleAloneAndTheSetsOthersHold) {
    sale(1, 501);
    write();
    sales.clear();
    auto& again = sale(1, 502); // the same buyer and request id as before, another unit
    again.requestId = "r0";
    again.buyer = 1;
    test.sql("UPDATE selection_entries SET selected = 0 WHERE round_id = 1 AND buyer_id = 1;"
             "UPDATE selection_households SET selected = 0 WHERE round_id = 1 AND household = 'h1'");
    sale(2, 503);
    sale(3, 504);
    write();
    EXPECT_NE(refusal(*sales[0]), "");
    EXPECT_EQ(refusal(*sales[1]), "");
    EXPECT_EQ(refusal(*sales[2]), "");
    EXPECT_EQ(count("SELECT COUNT(*) AS n FROM selection_selections"), 3);
}
