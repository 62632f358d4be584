#include "form/FormField.h"
#include "form/JsonSchemaSubset.h"

#include <gtest/gtest.h>

using anchang::FormField;
using anchang::JsonSchemaSubset;

namespace {
bool valid(const nlohmann::json& schema, const nlohmann::json& value) { return JsonSchemaSubset::validate(schema, value).empty(); }
} // namespace

TEST(JsonSchemaSubset, PhoneAndDateFormats) {
    EXPECT_EQ(JsonSchemaSubset::normalizePhone("138 0000 0000"), "13800000000");
    EXPECT_EQ(JsonSchemaSubset::normalizePhone("+86-138-0000-0000"), "13800000000");
    EXPECT_EQ(JsonSchemaSubset::normalizePhone("12800000000"), "");   // no such prefix
    EXPECT_EQ(JsonSchemaSubset::normalizePhone("1380000000"), "");    // ten digits
    EXPECT_EQ(JsonSchemaSubset::normalizePhone("138O0000000"), "");   // a letter O
    EXPECT_TRUE(JsonSchemaSubset::isDate("2024-02-29"));
    EXPECT_FALSE(JsonSchemaSubset::isDate("2026-02-29"));
    EXPECT_FALSE(JsonSchemaSubset::isDate("2026-13-01"));
    EXPECT_FALSE(JsonSchemaSubset::isDate("2026-1-01"));
    EXPECT_TRUE(valid({{"format", "phone"}}, "13800000000"));
    EXPECT_FALSE(valid({{"format", "phone"}}, "110"));
}

TEST(JsonSchemaSubset, LengthsCountCharactersNotBytes) {
    EXPECT_TRUE(valid({{"maxLength", 4}}, "滨江壹号"));
    EXPECT_FALSE(valid({{"maxLength", 3}}, "滨江壹号"));
    EXPECT_TRUE(valid({{"minLength", 2}}, "王丽"));
}

TEST(JsonSchemaSubset, AHostilePatternFailsInsteadOfHanging) {
    const nlohmann::json schema = {{"pattern", "^(a+)+$"}};
    EXPECT_FALSE(valid(schema, std::string(5000, 'a') + "!"));
    EXPECT_TRUE(valid({{"pattern", "^1[3-9]"}}, "13800000000"));
}

TEST(JsonSchemaSubset, CheckRefusesWhatItDoesNotSupport) {
    EXPECT_TRUE(JsonSchemaSubset::check({{"type", "string"}, {"enum", {"a"}}, {"maxLength", 3}}).empty());
    EXPECT_FALSE(JsonSchemaSubset::check({{"oneOf", nlohmann::json::array()}}).empty());
    EXPECT_FALSE(JsonSchemaSubset::check({{"type", "text"}}).empty());
    EXPECT_FALSE(JsonSchemaSubset::check({{"pattern", "("}}).empty());
    EXPECT_FALSE(JsonSchemaSubset::check({{"format", "email"}}).empty());
    EXPECT_FALSE(JsonSchemaSubset::check({{"minimum", "5"}}).empty());
}

TEST(FormField, ParsesAndRefusesDefinitions) {
    auto field = FormField::parse({{"key", "intended_building"}, {"label", {{"zh-CN", "意向楼栋"}, {"en", "Building"}}},
                                   {"schema", {{"type", "string"}, {"enum", {"1号楼", "2号楼"}}}}, {"required", true}, {"order", 35}});
    EXPECT_EQ(field.key, "intended_building");
    EXPECT_TRUE(field.required);
    EXPECT_EQ(field.order, 35);
    auto refused = [](nlohmann::json definition) {
        try {
            FormField::parse(definition);
        } catch (const std::invalid_argument&) {
            return true;
        }
        return false;
    };
    nlohmann::json ok = {{"key", "a"}, {"label", {{"zh-CN", "甲"}}}, {"schema", {{"type", "string"}}}};
    EXPECT_FALSE(refused(ok));
    for (auto [key, value] : std::vector<std::pair<std::string, nlohmann::json>>{
             {"key", "Bad Key"}, {"key", 5}, {"label", "甲"}, {"label", {{"en", "A"}}}, {"schema", "string"},
             {"schema", {{"oneOf", nlohmann::json::array()}}}, {"required", "yes"}, {"order", 1.5},
             {"schema", {{"type", "object"}, {"properties", nlohmann::json::object()}}}}) {
        auto definition = ok;
        definition[key] = value;
        EXPECT_TRUE(refused(definition)) << key << "=" << value.dump();
    }
}
