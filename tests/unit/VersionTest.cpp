#include "plugin/SemVer.h"
#include "plugin/VersionRange.h"

#include <gtest/gtest.h>

using anchang::SemVer;
using anchang::VersionRange;

TEST(SemVer, ParsesPartialVersions) {
    EXPECT_EQ(SemVer::parse("1")->str(), "1.0.0");
    EXPECT_EQ(SemVer::parse("1.2")->str(), "1.2.0");
    EXPECT_EQ(SemVer::parse("1.2.3")->str(), "1.2.3");
    EXPECT_LT(*SemVer::parse("1.2.3"), *SemVer::parse("1.10.0"));
}

TEST(SemVer, RejectsGarbage) {
    for (const char* text : {"", "a", "1.", ".1", "1..2", "1.2.3.4", "-1", "1.2.x", "1.2.3-beta"})
        EXPECT_FALSE(SemVer::parse(text)) << text;
}

TEST(VersionRange, CaretTildeAndComparators) {
    auto satisfies = [](const char* range, const char* version) {
        return VersionRange::parse(range)->satisfiedBy(*SemVer::parse(version));
    };
    EXPECT_TRUE(satisfies("^1.2", "1.9.9"));
    EXPECT_FALSE(satisfies("^1.2", "2.0.0"));
    EXPECT_FALSE(satisfies("^1.2", "1.1.9"));
    EXPECT_TRUE(satisfies("^0.3", "0.3.7"));
    EXPECT_FALSE(satisfies("^0.3", "0.4.0"));
    EXPECT_TRUE(satisfies("~1.2.3", "1.2.9"));
    EXPECT_FALSE(satisfies("~1.2.3", "1.3.0"));
    EXPECT_TRUE(satisfies(">=1.0 <2.0", "1.5.0"));
    EXPECT_FALSE(satisfies(">=1.0 <2.0", "2.0.0"));
    EXPECT_TRUE(satisfies("*", "9.9.9"));
    EXPECT_TRUE(satisfies("1.2.3", "1.2.3"));
    EXPECT_FALSE(satisfies("1.2.3", "1.2.4"));
}

TEST(VersionRange, RejectsGarbage) {
    for (const char* text : {"", "   ", "^", "~x", ">=", "1.2.3 || 2", "latest"})
        EXPECT_FALSE(VersionRange::parse(text)) << text;
}
