// The channel's small rules, no store at all: hidden numbers, report codes, protection windows.
#include "HiddenPhone.h"
#include "Protection.h"
#include "ReportCode.h"

#include <gtest/gtest.h>

using namespace anchang::channel;

TEST(HiddenPhone, FullAndHiddenFormsAndWhatTheyMatch) {
    const auto full = HiddenPhone::parse("+86 138-0013-1234");
    ASSERT_TRUE(full);
    EXPECT_FALSE(full->hidden());
    EXPECT_EQ(full->key(), "13800131234");
    EXPECT_TRUE(full->matches("13800131234"));

    const auto threeFour = HiddenPhone::parse("138****1234");
    ASSERT_TRUE(threeFour);
    EXPECT_EQ(threeFour->format(), "3-4");
    EXPECT_TRUE(threeFour->matches("13800131234"));
    EXPECT_TRUE(threeFour->matches("13899991234"));
    EXPECT_FALSE(threeFour->matches("13900131234"));
    EXPECT_FALSE(threeFour->matches("13800131235"));

    const auto fourThree = HiddenPhone::parse("1380****234");
    ASSERT_TRUE(fourThree);
    EXPECT_EQ(fourThree->format(), "4-3");
    EXPECT_TRUE(fourThree->matches("13800131234"));
    EXPECT_FALSE(fourThree->matches("13810131234"));

    // The keys a report of a full number can have, each of which matches it.
    const auto keys = HiddenPhone::keysOf("13800131234");
    EXPECT_EQ(keys[1], "138****1234");
    EXPECT_EQ(keys[2], "1380****234");
    for (const auto& key : keys) EXPECT_TRUE(HiddenPhone::parse(key)->matches("13800131234")) << key;

    for (const char* bad : {"", "138***1234", "138*****234", "12800001234", "138****12a4", "1380000123", "abc", "138****1234 5"})
        EXPECT_FALSE(HiddenPhone::parse(bad)) << bad;
}

TEST(ReportCode, IssuedCodesAreGenuineOnlyForTheirReportAgentAndProject) {
    const ReportCode codes(std::string(64, 'k'));
    const auto code = codes.issue(1, 42, 7);
    EXPECT_EQ(code.size(), 19u); // four groups of four
    const auto decoded = ReportCode::decode(code);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->report, 42);
    EXPECT_TRUE(codes.genuine(1, 7, *decoded));
    EXPECT_FALSE(codes.genuine(1, 8, *decoded)); // another agent's
    EXPECT_FALSE(codes.genuine(2, 7, *decoded)); // another project's
    EXPECT_FALSE(ReportCode(std::string(64, 'x')).genuine(1, 7, *decoded)); // another site's key

    // Typed by hand: lower case, no dashes, O for 0 — still the code.
    std::string typed;
    for (const char c : code)
        if (c != '-') typed += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ASSERT_TRUE(ReportCode::decode(typed));
    EXPECT_TRUE(codes.genuine(1, 7, *ReportCode::decode(typed)));

    // One character changed: decodes, but is not genuine (a guess), or names another report.
    std::string forged = code;
    forged[18] = forged[18] == 'A' ? 'B' : 'A';
    const auto f = ReportCode::decode(forged);
    ASSERT_TRUE(f);
    EXPECT_FALSE(codes.genuine(1, 7, *f));
    for (const char* bad : {"", "ABCD", "ABCD-EFGH-JKMN-PQRS-T", "UUUU-UUUU-UUUU-UUUU", "0000-0000-0000-0000"})
        EXPECT_FALSE(ReportCode::decode(bad) && codes.genuine(1, 7, *ReportCode::decode(bad))) << bad;
}

TEST(Protection, TheThreeModes) {
    constexpr std::int64_t day = Protection::kDayMs;
    Protection::Policy p;
    p.visitDays = 7;
    p.dealDays = 30;
    p.mode = "report_deal";
    EXPECT_EQ(Protection::fromReport(p, 0), 30 * day);
    EXPECT_EQ(Protection::fromVisit(p, 0, 5 * day), 30 * day); // counts from the report
    p.mode = "report_visit_deal";
    EXPECT_EQ(Protection::fromReport(p, 0), 7 * day);
    EXPECT_EQ(Protection::fromVisit(p, 0, 5 * day), 35 * day);
    p.mode = "visit_deal";
    EXPECT_FALSE(Protection::fromReport(p, 0)); // a report alone holds nobody
    EXPECT_EQ(Protection::fromVisit(p, 0, 5 * day), 35 * day);
}
