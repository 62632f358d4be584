#include "plugin/PluginManifest.h"

#include <gtest/gtest.h>

using anchang::PluginManifest;

namespace {

nlohmann::json valid() {
    return {{"id", "channel"},
            {"version", "1.2.0"},
            {"abi", 1},
            {"library", "libanchang_channel.so"},
            {"licence", "channel"},
            {"dependencies", {{"core", "^1.0"}}},
            {"migrations", "migrations"},
            {"permissions", {{"channel.report.create", {{"roles", {"channel_agent"}}}}}},
            {"routes", {{{"method", "POST"}, {"path", "/api/v1/projects/{project}/reports"}, {"permission", "channel.report.create"}}}},
            {"bus", {{"publishes", {"report.*"}}, {"subscribes", {"visit.*"}}, {"services", {"channel.report.verify"}}, {"workers", 4}}}};
}

std::string refusal(const nlohmann::json& manifest) {
    try {
        PluginManifest::parse(manifest.dump(), "/plugins/x");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

std::string refusalOf(const std::string& text) {
    try {
        PluginManifest::parse(text, "/plugins/x");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST(PluginManifest, ReadsEveryDeclaration) {
    auto m = PluginManifest::parse(valid().dump(), "/plugins/channel");
    EXPECT_EQ(m.id, "channel");
    EXPECT_EQ(m.version.str(), "1.2.0");
    EXPECT_EQ(m.library, "/plugins/channel/libanchang_channel.so");
    EXPECT_EQ(m.licenceFeature, "channel");
    EXPECT_EQ(m.workers, 4);
    EXPECT_TRUE(m.declaresRoute("POST", "/api/v1/projects/{project}/reports", "channel.report.create"));
    EXPECT_FALSE(m.declaresRoute("POST", "/api/v1/projects/{project}/reports", "public"));
    EXPECT_TRUE(m.declaresPublish("report.created"));
    EXPECT_FALSE(m.declaresPublish("visit.registered"));
    EXPECT_TRUE(m.declaresSubscription("visit."));
    EXPECT_TRUE(m.declaresService("channel.report.verify"));
}

TEST(PluginManifest, RefusesHostileOrMalformedManifests) {
    EXPECT_NE(refusalOf("{not json").find("not valid JSON"), std::string::npos);
    EXPECT_NE(refusalOf("[1,2]").find("JSON object"), std::string::npos);
    EXPECT_NE(refusalOf("").find("not valid JSON"), std::string::npos);

    auto without = [](const char* key) { auto m = valid(); m.erase(key); return m; };
    EXPECT_NE(refusal(without("id")).find("\"id\" is missing"), std::string::npos);
    EXPECT_NE(refusal(without("library")).find("\"library\" is missing"), std::string::npos);

    auto with = [](const char* key, nlohmann::json value) { auto m = valid(); m[key] = std::move(value); return m; };
    EXPECT_NE(refusal(with("id", 7)).find("\"id\" must be"), std::string::npos);
    EXPECT_NE(refusal(with("id", "../etc")).find("lower-case"), std::string::npos);
    EXPECT_NE(refusal(with("id", std::string(500, 'a'))).find("lower-case"), std::string::npos);
    EXPECT_NE(refusal(with("version", "one")).find("not a version"), std::string::npos);
    EXPECT_NE(refusal(with("abi", "1")).find("\"abi\" must be"), std::string::npos);
    EXPECT_NE(refusal(with("library", "../../bin/sh")).find("inside the plugin folder"), std::string::npos);
    EXPECT_NE(refusal(with("library", "/bin/sh")).find("inside the plugin folder"), std::string::npos);
    EXPECT_NE(refusal(with("migrations", "../../etc")).find("inside the plugin folder"), std::string::npos);
    EXPECT_NE(refusal(with("dependencies", {{"core", "newest"}})).find("not a version range"), std::string::npos);
    EXPECT_NE(refusal(with("dependencies", {{"channel", "*"}})).find("itself"), std::string::npos);
    EXPECT_NE(refusal(with("routes", {{{"method", "TRACE"}, {"path", "/api/v1/x"}, {"permission", "public"}}})).find("method"),
              std::string::npos);
    EXPECT_NE(refusal(with("routes", {{{"method", "GET"}, {"path", "/admin"}, {"permission", "public"}}})).find("route path"),
              std::string::npos);
    EXPECT_NE(refusal(with("routes", {{{"method", "GET"}, {"path", "/api/v1/x"}, {"permission", "core.secret"}}}))
                  .find("undeclared permission"),
              std::string::npos);
    EXPECT_NE(refusal(with("permissions", {{"kernel.admin", {{"roles", {"buyer"}}}}})).find("must start with"), std::string::npos);
    EXPECT_NE(refusal(with("bus", {{"services", {"Not A Name"}}})).find("not a valid name"), std::string::npos);
    EXPECT_NE(refusal(with("bus", {{"workers", 1000}})).find("workers"), std::string::npos);
}

TEST(PluginManifest, RefusesBadHookPointsHelpersFormsAndPages) {
    auto with = [](const char* key, nlohmann::json value) { auto m = valid(); m[key] = std::move(value); return m; };
    const nlohmann::json hook = {{"name", "channel.protection"}};
    auto hookWith = [&](const char* key, nlohmann::json value) { auto h = hook; h[key] = std::move(value); return with("hooks", {h}); };
    EXPECT_NE(refusal(with("hooks", {{{"name", "core.rules"}}})).find("starting with \"channel.\""), std::string::npos);
    EXPECT_NE(refusal(hookWith("default", "../../etc/passwd")).find("inside the plugin folder"), std::string::npos);
    EXPECT_NE(refusal(hookWith("default", "hooks/missing.js")).find("not found"), std::string::npos);
    EXPECT_NE(refusal(hookWith("timeout_ms", 5000)).find("timeout_ms"), std::string::npos);
    EXPECT_NE(refusal(hookWith("output", {{"type", "object"}, {"properties", 5}})).find("output"), std::string::npos);
    // A field of the wrong type is the manifest's fault, said as such — not a crash of the loader.
    EXPECT_NE(refusal(hookWith("order", "1")).find("wrong type"), std::string::npos);

    EXPECT_NE(refusal(with("script_helpers", {{{"name", "visitCount"}, {"service", "core.customer.visit_count"}}}))
                  .find("bus.services does not declare"),
              std::string::npos);
    EXPECT_NE(refusal(with("script_helpers", {{{"name", "visit-count"}, {"service", "channel.report.verify"}}})).find("identifiers"),
              std::string::npos);

    EXPECT_NE(refusal(with("forms", {{{"id", "channel.report"}, {"validate_hook", "channel.nope"}}})).find("not one of its hook points"),
              std::string::npos);
    EXPECT_NE(refusal(with("forms", {{{"id", "report"}}})).find("starting with \"channel.\""), std::string::npos);

    auto page = [](nlohmann::json changes) {
        nlohmann::json p = {{"path", "/channel/reports"}, {"component", "Reports.vue"}, {"title", {{"zh-CN", "报备"}}}};
        p.merge_patch(changes);
        return nlohmann::json{{"pages", {p}}};
    };
    EXPECT_EQ(refusal(with("web", page(nlohmann::json::object()))), "");
    EXPECT_NE(refusal(with("web", page({{"layout", "tv"}}))).find("layout"), std::string::npos);
    EXPECT_NE(refusal(with("web", page({{"component", "../x.vue"}}))).find("component"), std::string::npos);
    EXPECT_NE(refusal(with("web", page({{"path", "javascript:alert(1)"}}))).find("path"), std::string::npos);
    EXPECT_NE(refusal(with("web", page({{"title", "报备"}}))).find("title"), std::string::npos);
    EXPECT_NE(refusal(with("web", {{"pages", 5}})).find("must be a list"), std::string::npos);
}
