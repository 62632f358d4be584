// The price list import's rules on plain rows: no kernel, no database, milliseconds.
#include "PriceListImport.h"

#include <gtest/gtest.h>

using anchang::core::ImportSheet;
using anchang::core::PriceListImport;

namespace {

using Rows = std::vector<std::vector<std::string>>;

const std::vector<std::string> kTitles = {"楼栋", "楼层", "房号", "户型", "建筑面积（㎡）", "总价（元）"};

PriceListImport::Inventory inventory() {
    PriceListImport::Inventory units;
    units[{"1号楼", "1201"}] = {11, "available", 12, "三室两厅两卫", 98.2, 3191500};
    units[{"1号楼", "1202"}] = {12, "subscribed", 12, "三室两厅两卫", 98.2, 3191500};
    return units;
}

std::vector<std::string> codes(const PriceListImport::Plan& plan) {
    std::vector<std::string> out;
    for (const auto& e : plan.errors) out.push_back(std::to_string(e["row"].get<int>()) + ":" + e["code"].get<std::string>());
    return out;
}

} // namespace

TEST(PriceListImport, CreatesNewUnitsRepricesAvailableOnesAndLeavesTheSameAlone) {
    const auto plan = PriceListImport::plan({kTitles,
                                             {"1号楼", "12", "1201", "三室两厅两卫", "98.2", "3,250,000"},
                                             {"1号楼", "12", "1202", "三室两厅两卫", "98.2", "3191500"},
                                             {"2号楼", "3", "301", "两室两厅一卫", "78.60㎡", "245.6万"}},
                                            inventory());
    ASSERT_TRUE(plan.ok()) << plan.errors;
    ASSERT_EQ(plan.lines.size(), 3u);
    EXPECT_EQ(plan.lines[0].action, "update");
    EXPECT_EQ(plan.lines[0].unit.listPrice, 3250000);
    EXPECT_EQ(plan.lines[0].unit.id, 11);
    EXPECT_EQ(plan.lines[1].action, "unchanged"); // sold, but the file says what it already is
    EXPECT_EQ(plan.lines[2].action, "create");
    EXPECT_EQ(plan.lines[2].unit.listPrice, 2456000);
    EXPECT_DOUBLE_EQ(plan.lines[2].unit.area, 78.6);
    EXPECT_EQ(plan.toJson()["summary"], (nlohmann::json{{"create", 1}, {"update", 1}, {"unchanged", 1}, {"errors", 0}}));
}

TEST(PriceListImport, NamesEveryBadRowAndWhy) {
    const auto plan = PriceListImport::plan({kTitles,
                                             {"1号楼", "12", "1202", "三室两厅两卫", "98.2", "3300000"}, // sold: no repricing
                                             {"3号楼", "", "101", "", "", "2000000"},                  // new: needs floor, layout, area
                                             {"3号楼", "1", "102", "一室", "45", "about two million"},
                                             {"3号楼", "1.5", "103", "一室", "-45", "0"},
                                             {"", "1", "104", "一室", "45", "1000000"},
                                             {"3号楼", "2", "201", "一室", "45", "1000000"},
                                             {"3号楼", "2", "201", "一室", "45", "1000000"}},
                                            inventory());
    EXPECT_FALSE(plan.ok());
    EXPECT_EQ(codes(plan), (std::vector<std::string>{"2:import.unit_sold", "3:import.required", "3:import.required", "3:import.required",
                                                      "4:import.bad_price", "5:import.bad_price", "5:import.bad_floor", "5:import.bad_area",
                                                      "6:import.required", "8:import.duplicate"}));
    EXPECT_EQ(plan.errors[0]["message"]["zh-CN"], "1号楼 1202 已认购或签约，不能改价或改资料");
    ASSERT_EQ(plan.lines.size(), 1u); // row 7 alone was fine
    EXPECT_EQ(plan.lines[0].row, 7);
}

TEST(PriceListImport, FindsItsColumnsInEnglishAndInAnyOrderAndSaysWhichAreMissing) {
    const auto english = PriceListImport::plan({{"Price", "Unit", "Building", "Floor", "Layout", "Area"}, {"1000000", "101", "A", "1", "1BR", "40"}}, {});
    ASSERT_TRUE(english.ok()) << english.errors;
    EXPECT_EQ(english.lines[0].building, "A");
    EXPECT_EQ(english.lines[0].unit.listPrice, 1000000);

    const auto missing = PriceListImport::plan({{"楼栋", "户型"}, {"1号楼", "一室"}}, {});
    EXPECT_EQ(codes(missing), (std::vector<std::string>{"1:import.missing_column", "1:import.missing_column"}));
    EXPECT_EQ(missing.errors[0]["message"]["zh-CN"], "缺少列：房号");
    EXPECT_EQ(PriceListImport::plan({}, {}).errors[0]["code"], "import.empty");
    // Blank rows between the data are no rows at all.
    EXPECT_TRUE(PriceListImport::plan({kTitles, {"", "", "", "", "", ""}, {}}, {}).lines.empty());
}

TEST(ImportSheet, ReadsMoneyTheWaySalesOfficesWriteIt) {
    EXPECT_EQ(ImportSheet::yuan("3,560,000"), 3560000);
    EXPECT_EQ(ImportSheet::yuan("3560000.00"), 3560000);
    EXPECT_EQ(ImportSheet::yuan("356.8万"), 3568000);
    EXPECT_EQ(ImportSheet::yuan("356.8万元"), 3568000);
    EXPECT_EQ(ImportSheet::yuan(" 3560000元 "), 3560000);
    EXPECT_EQ(ImportSheet::yuan("-5"), std::nullopt);
    EXPECT_EQ(ImportSheet::yuan("1e20"), std::nullopt);
    EXPECT_EQ(ImportSheet::yuan("nan"), std::nullopt);
    EXPECT_EQ(ImportSheet::yuan("=1+1"), std::nullopt);
}
