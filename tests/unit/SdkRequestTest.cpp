#include "anchang/sdk/Request.hpp"

#include <gtest/gtest.h>

#include <cstddef>

using anchang::sdk::Request;

namespace {

anchang_http_request raw(const char* principalJson, std::int64_t userId, const char* username) {
    anchang_http_request r{};
    r.size = sizeof r;
    r.method = "POST";
    r.path = "/api/v1/projects/1/selection/rounds/2/selections";
    r.params_json = R"({"project":"1","id":"2"})";
    r.query_json = "{}";
    r.body = "";
    r.principal_json = principalJson;
    r.request_id = "req-1";
    r.lang = "zh-CN";
    r.headers_json = "{}";
    r.user_id = userId;
    r.username = username;
    return r;
}

} // namespace

TEST(SdkRequest, AKernelOfAbi17NamesTheCallerWithoutTheJsonBeingParsed) {
    // Not JSON at all: only a parse would notice.
    const auto r = raw("{not json", 7, "phone:13800000001");
    const Request request(r);
    EXPECT_TRUE(request.authenticated());
    EXPECT_EQ(request.userId(), 7);
    EXPECT_EQ(request.username(), "phone:13800000001");
    EXPECT_ANY_THROW((void)request.displayName()); // what needs the JSON still parses it
}

TEST(SdkRequest, APublicRouteHasNoCaller) {
    const auto r = raw("null", 0, nullptr);
    const Request request(r);
    EXPECT_FALSE(request.authenticated());
    EXPECT_EQ(request.userId(), 0);
    EXPECT_EQ(request.username(), "");
    EXPECT_FALSE(request.can("selection.sell"));
}

TEST(SdkRequest, AKernelOfAbi16IsReadFromTheJson) {
    auto r = raw(R"({"user_id":3,"username":"manager","display_name":"经理","roles":["manager"],"project_id":1,"permissions":[]})", 99,
                 "not-this-one");
    r.size = offsetof(anchang_http_request, user_id); // the struct as a 1.6 kernel sends it
    const Request request(r);
    EXPECT_TRUE(request.authenticated());
    EXPECT_EQ(request.userId(), 3);
    EXPECT_EQ(request.username(), "manager");
    EXPECT_TRUE(request.hasRole("manager"));

    auto anonymous = raw("null", 99, "not-this-one");
    anonymous.size = offsetof(anchang_http_request, user_id);
    EXPECT_FALSE(Request(anonymous).authenticated());
    EXPECT_EQ(Request(anonymous).username(), "");
}
