#include "http/AccessLog.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using anchang::AccessLog;

namespace {

nlohmann::json lineFor(std::string_view path, std::string_view user = "manager") {
    std::string line;
    AccessLog log([&](std::string&& text) { line = std::move(text); }, true);
    log.record("GET", path, 200, 1234, "req-1", user);
    return nlohmann::json::parse(line); // throws if the line is not JSON
}

} // namespace

TEST(AccessLog, WritesOneJsonLinePerRequest) {
    const auto line = lineFor("/api/v1/health");
    EXPECT_EQ(line["method"], "GET");
    EXPECT_EQ(line["path"], "/api/v1/health");
    EXPECT_EQ(line["status"], 200);
    EXPECT_EQ(line["request_id"], "req-1");
}

TEST(AccessLog, AnyBytesInAPathStillMakeValidJson) {
    EXPECT_EQ(lineFor("/a\"b\\c\n")["path"], "/a\"b\\c\n");
    EXPECT_EQ(lineFor("/客户")["path"], "/客户");
    // A percent-decoded %FF is not UTF-8: replaced, and the line still parses.
    EXPECT_EQ(lineFor("/\xFF")["path"], "/\xEF\xBF\xBD");
}
