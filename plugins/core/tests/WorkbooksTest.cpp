// core's customer and import rules on the SDK's test host: core's real migrations in an
// in-memory SQLite, the kernel's services faked, the clock moved by the test. No anchangd.
#include "CustomerBook.h"
#include "DayMs.h"
#include "ProjectProfile.h"
#include "Workbooks.h"

#include <anchang/sdk/testing/TestHost.hpp>
#include <gtest/gtest.h>

using anchang::core::CustomerBook;
using anchang::core::ProjectProfile;
using anchang::core::Workbooks;
using anchang::sdk::testing::TestHost;

namespace {

struct CoreRules : ::testing::Test {
    TestHost test{{.manifest = ANCHANG_CORE_DIR "/plugin.json"}};
    ProjectProfile profile{test.host(), 30};
    CustomerBook customers{test.host(), profile};
    Workbooks workbooks{test.host(), customers, profile};
    std::vector<std::vector<std::string>> sheet;

    void SetUp() override {
        test.migrate(ANCHANG_CORE_DIR "/migrations");
        test.sql("INSERT INTO core_buildings (id, project_id, name, floors) VALUES (1, 1, '1号楼', 18);"
                 "INSERT INTO core_units (project_id, building_id, floor, number, layout, area, list_price, status) VALUES "
                 "(1, 1, 12, '1201', '三室两厅两卫', 98.2, 3191500, 'available'), (1, 1, 12, '1202', '三室两厅两卫', 98.2, 3191500, 'subscribed');");
        // The kernel's side of an import: the uploaded file and its rows.
        test.fake("kernel.media.get", [](const nlohmann::json& body, std::int64_t) {
            return nlohmann::json{{"id", body["id"]}, {"plugin", "core"}, {"kind", "import"}};
        });
        test.fake("kernel.table.read", [this](const nlohmann::json&, std::int64_t) {
            return nlohmann::json{{"sheet", "价目表"}, {"rows", sheet}, {"truncated", false}};
        });
    }
    std::int64_t units() { return test.host().db().query("SELECT COUNT(*) AS n FROM core_units")[0]["n"]; }
};

const std::vector<std::string> kTitles = {"楼栋", "楼层", "房号", "户型", "建筑面积", "总价"};

} // namespace

TEST_F(CoreRules, AProtectionPeriodEndsOnTheKernelsClock) {
    const auto claim = customers.claim(1, {{"phone", "13900001111"}, {"name", "王先生"}, {"owner_id", 5}});
    ASSERT_TRUE(claim.created);
    EXPECT_TRUE(claim.customer["protected"]);
    EXPECT_EQ(claim.customer["protection_until"], test.now() + 30 * anchang::core::kDayMs);
    test.advance(30 * anchang::core::kDayMs + 1);
    EXPECT_FALSE(customers.get(1, claim.customer["id"])["protected"]);
    // The events left once the claim committed: a new customer, and their first visit.
    ASSERT_EQ(test.published().size(), 2u);
    EXPECT_EQ(test.published()[0].topic, "customer.created");
    EXPECT_EQ(test.published()[1].topic, "customer.visited");
}

TEST_F(CoreRules, AnImportWithOneBadRowWritesNothingAndAGoodOneWritesEverything) {
    sheet = {kTitles, {"2号楼", "3", "301", "两室", "78.6", "2456000"}, {"1号楼", "12", "1202", "三室两厅两卫", "98.2", "3300000"}};
    const auto refused = workbooks.importUnits(1, {{"file", "f1"}, {"commit", true}}, {7, "manager"});
    EXPECT_EQ(refused.status, 422);
    EXPECT_EQ(refused.body["preview"]["errors"][0]["code"], "import.unit_sold");
    EXPECT_EQ(units(), 2);
    EXPECT_TRUE(test.audit().empty());

    sheet = {kTitles, {"2号楼", "3", "301", "两室", "78.6", "2456000"}, {"1号楼", "12", "1201", "三室两厅两卫", "98.2", "3300000"}};
    const auto written = workbooks.importUnits(1, {{"file", "f2"}, {"commit", true}}, {7, "manager"});
    ASSERT_EQ(written.status, 200) << written.body;
    EXPECT_EQ(units(), 3);
    EXPECT_EQ(test.host().db().query("SELECT floors FROM core_buildings WHERE name = '2号楼'")[0]["floors"], 3);
    ASSERT_EQ(test.audit().size(), 1u);
    EXPECT_EQ(test.audit()[0]["action"], "units.import");
    EXPECT_EQ(test.audit()[0]["detail"]["create"], 1);
}

TEST_F(CoreRules, AnImportRefusesAFileUploadedForSomethingElse) {
    test.fake("kernel.media.get", [](const nlohmann::json& body, std::int64_t) {
        return nlohmann::json{{"id", body["id"]}, {"plugin", "core"}, {"kind", "export"}};
    });
    sheet = {kTitles};
    try {
        workbooks.importUnits(1, {{"file", "f3"}}, {7, "manager"});
        FAIL() << "an export is no import";
    } catch (const anchang::sdk::Error& e) {
        EXPECT_EQ(e.status(), 400);
    }
}
