// sdk::Csv: fields as Excel reads them, and a customer's "name" never run as a formula.
#include "anchang/sdk/Csv.hpp"

#include <gtest/gtest.h>

using anchang::sdk::Csv;

TEST(Csv, PlainTextStaysAsItIsAndTheRestIsQuoted) {
    EXPECT_EQ(Csv::field("链家·滨江"), "链家·滨江");
    EXPECT_EQ(Csv::field("王, 先生"), "\"王, 先生\"");
    EXPECT_EQ(Csv::field("说\"好\"的"), "\"说\"\"好\"\"的\"");
    EXPECT_EQ(Csv::field("两行\r\n"), "\"两行\r\n\"");
}

TEST(Csv, AFieldStartingLikeAFormulaIsDefused) {
    EXPECT_EQ(Csv::field("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
    EXPECT_EQ(Csv::field("+86 138"), "\"'+86 138\"");
    EXPECT_EQ(Csv::field("-1"), "\"'-1\"");
    EXPECT_EQ(Csv::field("@SUM(A1)"), "\"'@SUM(A1)\"");
    EXPECT_EQ(Csv::field(""), "");
}
