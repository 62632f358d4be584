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

TEST(JsonText, ArraysAndStrings) {
    std::string out;
    JsonText::appendArray(out, {});
    out += ' ';
    JsonText::appendArray(out, {"a", "\"b\""});
    out += ' ';
    JsonText::appendString(out, "c\\");
    EXPECT_EQ(out, R"([] ["a","\"b\""] "c\\")");
}
