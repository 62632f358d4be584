#include "http/RoutePattern.h"
#include "http/Router.h"

#include <gtest/gtest.h>

using anchang::RoutePattern;
using anchang::Router;

TEST(RoutePattern, MatchesAndExtractsParameters) {
    RoutePattern pattern("/api/v1/projects/{project}/visits/{id}");
    auto params = pattern.match("/api/v1/projects/3/visits/42");
    ASSERT_TRUE(params);
    EXPECT_EQ(params->at("project"), "3");
    EXPECT_EQ(params->at("id"), "42");
    EXPECT_FALSE(pattern.match("/api/v1/projects/3/visits"));
    EXPECT_FALSE(pattern.match("/api/v1/projects/3/visits/42/more"));
    EXPECT_FALSE(pattern.match("/api/v1/projects//visits/42"));
    EXPECT_FALSE(pattern.match("/api/v1/projects/3/visits/42/"));
}

TEST(RoutePattern, RejectsMalformedPatterns) {
    for (const char* text : {"", "api", "/a//b", "/a/{", "/a/{}", "/a/b{c}"})
        EXPECT_THROW(RoutePattern{text}, std::invalid_argument) << text;
}

TEST(Router, LiteralSegmentsWinAndMethodsAreReported) {
    Router router;
    std::string hit;
    router.add({"GET", RoutePattern("/api/v1/visits/{id}"), "public", "a", [&](auto&) { hit = "param"; }});
    router.add({"GET", RoutePattern("/api/v1/visits/today"), "public", "a", [&](auto&) { hit = "literal"; }});
    auto match = router.match("GET", "/api/v1/visits/today");
    ASSERT_TRUE(match.route);
    EXPECT_EQ(match.route->pattern.text(), "/api/v1/visits/today");
    auto wrongMethod = router.match("DELETE", "/api/v1/visits/7");
    EXPECT_FALSE(wrongMethod.route);
    EXPECT_EQ(wrongMethod.allowed, std::vector<std::string>{"GET"});
    EXPECT_FALSE(router.match("GET", "/api/v1/nothing").route);
}

TEST(Router, RefusesAShadowingRoute) {
    Router router;
    router.add({"POST", RoutePattern("/api/v1/auth/login"), "public", "kernel", [](auto&) {}});
    EXPECT_THROW(router.add({"POST", RoutePattern("/api/v1/auth/login"), "public", "evil", [](auto&) {}}), std::invalid_argument);
    router.add({"GET", RoutePattern("/api/v1/x/{a}"), "public", "kernel", [](auto&) {}});
    EXPECT_THROW(router.add({"GET", RoutePattern("/api/v1/x/{b}"), "public", "evil", [](auto&) {}}), std::invalid_argument);
}
