// The customer import's rules on plain rows: no kernel, no database, milliseconds.
#include "CustomerImport.h"

#include <gtest/gtest.h>

using anchang::core::CustomerImport;

namespace {

CustomerImport::Known known() {
    CustomerImport::Known k;
    k.phones = {"13800001111"};
    k.consultants = {{"consultant1", 5}, {"张伟", 5}, {"consultant2", 6}};
    k.utcOffsetMinutes = 480;
    return k;
}

} // namespace

TEST(CustomerImport, TakesNewCustomersWithTheirOwnerSourceAndFirstVisit) {
    const auto plan = CustomerImport::plan({{"姓名", "手机号码", "性别", "客户来源", "置业顾问", "首访日期"},
                                            {"王先生", "139-0000-2222", "男", "老带新", "张伟", "2026-03-08"},
                                            {"李女士", "+86 139 0000 3333", "女", "", "consultant2", "46089"},
                                            {"赵先生", "13900004444", "", "channel", "", ""}},
                                           known());
    ASSERT_TRUE(plan.ok()) << plan.errors;
    ASSERT_EQ(plan.lines.size(), 3u);
    EXPECT_EQ(plan.lines[0].phone, "13900002222");
    EXPECT_EQ(plan.lines[0].gender, "male");
    EXPECT_EQ(plan.lines[0].source, "referral");
    EXPECT_EQ(plan.lines[0].owner, 5);
    EXPECT_EQ(plan.lines[0].firstVisitAt, 1772928000000 - 8 * 3600000); // 2026-03-08 00:00 in Beijing
    EXPECT_EQ(plan.lines[1].source, "natural");
    EXPECT_EQ(plan.lines[1].owner, 6);
    EXPECT_EQ(plan.lines[1].firstVisitAt, plan.lines[0].firstVisitAt); // Excel's day 46089 is 2026-03-08
    EXPECT_EQ(plan.lines[2].source, "channel");
    EXPECT_FALSE(plan.lines[2].owner);
    EXPECT_EQ(plan.toJson()["lines"][0]["phone"], "139****2222"); // a preview shows phones masked
}

TEST(CustomerImport, RefusesWhatWouldMergeTakeOverOrGuess) {
    const auto plan = CustomerImport::plan({{"姓名", "手机"},
                                            {"老客户", "13800001111"},
                                            {"张三", "12345"},
                                            {"", "13900005555"},
                                            {"李四", "13900006666"},
                                            {"李四", "13900006666"}},
                                           known());
    std::vector<std::string> got;
    for (const auto& e : plan.errors) got.push_back(std::to_string(e["row"].get<int>()) + ":" + e["code"].get<std::string>());
    EXPECT_EQ(got, (std::vector<std::string>{"2:import.customer_exists", "3:import.bad_phone", "4:import.bad_name", "6:import.duplicate"}));
    EXPECT_EQ(plan.errors[0]["message"]["zh-CN"], "138****1111 已是本项目客户"); // the message masks the phone too

    const auto extras = CustomerImport::plan({{"姓名", "手机", "性别", "来源", "置业顾问", "首访日期"},
                                              {"王五", "13900007777", "未知", "路过", "不认识的人", "2026-02-30"}},
                                             known());
    got.clear();
    for (const auto& e : extras.errors) got.push_back(e["code"]);
    EXPECT_EQ(got, (std::vector<std::string>{"import.bad_gender", "import.bad_source", "import.unknown_consultant", "import.bad_date"}));
}

TEST(CustomerImport, ReadsDatesAsWrittenOrAsExcelDayNumbers) {
    EXPECT_EQ(CustomerImport::date("2026/3/8", 0), 1772928000000);
    EXPECT_EQ(CustomerImport::date("2026-03-08 14:30", 0), 1772928000000);
    EXPECT_EQ(CustomerImport::date("2026.03.08", 0), 1772928000000);
    EXPECT_EQ(CustomerImport::date("46089", 0), 1772928000000);
    EXPECT_EQ(CustomerImport::date("2026-13-01", 0), std::nullopt);
    EXPECT_EQ(CustomerImport::date("2026-03-08x", 0), std::nullopt);
    EXPECT_EQ(CustomerImport::date("5", 0), std::nullopt);
    EXPECT_EQ(CustomerImport::date("3月8日", 0), std::nullopt);
}
