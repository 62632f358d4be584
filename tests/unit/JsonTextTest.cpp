#include "http/JsonText.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using anchang::JsonText;

TEST(JsonText, AnObjectOfHostileTextParsesBackToTheSameText) {
    const std::map<std::string, std::string> members{
        {"id", "42"}, {"quote\"and\\slash", "line\nbreak\ttab\x01"}, {"客户", "王丽"}, {"", ""}};
    const auto parsed = nlohmann::json::parse(JsonText::object(members));
    ASSERT_EQ(parsed.size(), members.size());
    for (const auto& [name, value] : members) EXPECT_EQ(parsed[name], value) << name;
    EXPECT_EQ(JsonText::object({}), "{}");
}

TEST(JsonText, BytesThatAreNotUtf8AreReplacedAndTheTextStaysJson) {
    // A percent-decoded path parameter (%FF) may hold any bytes.
    const auto parsed = nlohmann::json::parse(JsonText::object({{"unit", "a\xFF" "b"}, {"\xC3", "x"}}));
    EXPECT_EQ(parsed["unit"], "a\xEF\xBF\xBD" "b");
    EXPECT_EQ(parsed["\xEF\xBF\xBD"], "x");
}

TEST(JsonText, WellFormedUtf8PassesAndEveryOtherByteIsReplaced) {
    const auto escaped = [](std::string_view text) {
        std::string out;
        JsonText::appendString(out, text);
        EXPECT_TRUE(nlohmann::json::accept(out)) << out;
        return out;
    };
    EXPECT_EQ(escaped("王丽 \xF0\x9F\x98\x80 \xC2\xA9 \xF4\x8F\xBF\xBF"), "\"王丽 \xF0\x9F\x98\x80 \xC2\xA9 \xF4\x8F\xBF\xBF\"");
    const std::string r = "\xEF\xBF\xBD";
    EXPECT_EQ(escaped("\xC0\x80"), "\"" + r + r + "\"");             // an overlong NUL
    EXPECT_EQ(escaped("\xED\xA0\x80"), "\"" + r + r + r + "\"");     // a surrogate
    EXPECT_EQ(escaped("\xF4\x90\x80\x80"), "\"" + r + r + r + r + "\""); // above U+10FFFF
    EXPECT_EQ(escaped("a\xE7\x8E"), "\"a" + r + r + "\"");            // cut short at the end
    EXPECT_EQ(escaped("\xE7\x8Ex"), "\"" + r + r + "x\"");            // cut short by ASCII
    EXPECT_EQ(escaped("\x80\xBF\xFE\xFF"), "\"" + r + r + r + r + "\"");
}

TEST(JsonText, ArraysAndStrings) {
    std::string out;
    JsonText::appendArray(out, {});
    out += ' ';
    JsonText::appendArray(out, {"a", "\"b\""});
    out += ' ';
    JsonText::appendString(out, "c\\");
    EXPECT_EQ(out, R"([] ["a","\"b\""] "c\\")");
}
