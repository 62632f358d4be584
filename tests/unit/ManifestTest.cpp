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
            {"routes", {{{"name", "reports.create"}, {"method", "POST"}, {"path", "/api/v1/projects/{project}/reports"}, {"permission", "channel.report.create"}}}},
            {"schemas", {{"code", {{"type", "string"}, {"minLength", 6}}}}},
            {"bus",
             {{"publishes", {{"report.*", {{"durable", true}, {"body", {{"type", "object"}}}}}}},
              {"subscribes", {"visit.*"}},
              {"services",
               {{"channel.report.verify",
                 {{"request", {{"type", "object"}, {"properties", {{"code", {{"$ref", "#/schemas/code"}}}}}}},
                  {"reply", {{"type", "object"}, {"required", {"status"}}}}}}}},
              {"calls", {"core.customer.find"}},
              {"workers", 4}}}};
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
    ASSERT_TRUE(m.route("reports.create"));
    EXPECT_EQ(m.route("reports.create")->path, "/api/v1/projects/{project}/reports");
    EXPECT_TRUE(m.declaresPublish("report.created"));
    EXPECT_TRUE(m.publication("report.created")->durable);
    EXPECT_FALSE(m.declaresPublish("visit.registered"));
    EXPECT_TRUE(m.declaresSubscription("visit."));
    EXPECT_TRUE(m.declaresService("channel.report.verify"));
    // A shared schema is written once and used by reference.
    EXPECT_EQ(m.service("channel.report.verify")->request["properties"]["code"]["minLength"], 6);
    EXPECT_TRUE(m.declaresCall("core.customer.find"));
    EXPECT_TRUE(m.declaresCall("channel.report.verify")); // its own
    EXPECT_FALSE(m.declaresCall("core.customer.claim"));
}

TEST(PluginManifest, ReadsExtensionPointsContributionsRolesAndBridges) {
    auto m = valid();
    m["roles"] = {{"channel_agent", {{"zh-CN", "渠道经纪人"}, {"en", "Channel agent"}}}};
    m["grants"] = {{"core.customers.read", {"channel_agent"}}};
    m["extension_points"] = {{"channel.report.checks",
                              {{"mode", "first"}, {"deadline_ms", 200}, {"input", {{"type", "object"}}}, {"output", {{"type", "object"}}}}}};
    m["contributes"] = {{"registration.visit.check", "channel.report.verify"}};
    m["web"] = {{"contributes", {{{"slot", "registration.desk.visitor"}, {"component", "DeskReportCode.vue"}, {"order", 10}}}}};
    const auto read = PluginManifest::parse(m.dump(), "/plugins/channel");
    ASSERT_TRUE(read.extensionPoint("channel.report.checks"));
    EXPECT_EQ(read.extensionPoint("channel.report.checks")->mode, PluginManifest::ExtensionPoint::Mode::First);
    EXPECT_EQ(read.extensionPoint("channel.report.checks")->deadlineMs, 200);
    ASSERT_EQ(read.contributions.size(), 1u);
    EXPECT_EQ(read.contributions[0].service, "channel.report.verify");
    EXPECT_EQ(read.grants.at("core.customers.read"), std::vector<std::string>{"channel_agent"});
    EXPECT_EQ(read.rolesNamed(), std::vector<std::string>{"channel_agent"});

    // Roles keep the order the file lists them in (people see them in that order), not A-Z.
    auto text = valid().dump();
    text.insert(1, R"("roles": {"reception": {"zh-CN": "前台", "en": "Front desk"}, "agent": {"zh-CN": "经纪人", "en": "Agent"}},)");
    const auto ordered = PluginManifest::parse(text, "/plugins/x");
    ASSERT_EQ(ordered.roles.size(), 2u);
    EXPECT_EQ(ordered.roles[0].first, "reception");
    EXPECT_EQ(ordered.roles[1].first, "agent");

    auto bridge = valid();
    bridge.erase("licence");
    bridge["bridge"] = {"registration", "face"};
    const auto joined = PluginManifest::parse(bridge.dump(), "/plugins/x");
    EXPECT_EQ(joined.joins, (std::vector<std::string>{"registration", "face"}));
    EXPECT_TRUE(joined.dependencies.count("face")); // it waits for what it joins

    auto external = valid();
    external.erase("library");
    external["external"] = true;
    EXPECT_TRUE(PluginManifest::parse(external.dump(), "/plugins/x").external);
}

TEST(PluginManifest, RefusesContractsThatSayLessThanTheyShould) {
    auto with = [](const char* key, nlohmann::json value) { auto m = valid(); m[key] = std::move(value); return m; };
    auto busWith = [](const char* key, nlohmann::json value) { auto m = valid(); m["bus"][key] = std::move(value); return m; };
    // Routes are named once, in the manifest.
    EXPECT_NE(refusal(with("routes", {{{"method", "GET"}, {"path", "/api/v1/x"}, {"permission", "public"}}})).find("\"name\" is missing"),
              std::string::npos);
    // Every service has request and reply shapes; every topic a body; pushes are never durable.
    EXPECT_NE(refusal(busWith("services", {{"channel.report.verify", {{"request", {{"type", "object"}}}}}})).find("reply"), std::string::npos);
    EXPECT_NE(refusal(busWith("services", {"channel.report.verify"})).find("bus.services must map"), std::string::npos);
    EXPECT_NE(refusal(busWith("publishes", {"report.*"})).find("bus.publishes must map"), std::string::npos);
    EXPECT_NE(refusal(busWith("publishes", {{"report.created", nlohmann::json::object()}})).find("body"), std::string::npos);
    EXPECT_NE(refusal(busWith("publishes", {{"push.channel.x", {{"durable", true}, {"body", {{"type", "object"}}}}}})).find("never durable"),
              std::string::npos);
    EXPECT_NE(refusal(busWith("services", {{"channel.report.verify", {{"request", {{"type", "object"}, {"oneOf", 1}}}, {"reply", {{"type", "object"}}}}}}))
                  .find("unsupported keyword"),
              std::string::npos);
    // Shared schemas: unknown names and cycles are refused.
    auto ref = valid();
    ref["bus"]["services"]["channel.report.verify"]["reply"] = {{"$ref", "#/schemas/nope"}};
    EXPECT_NE(refusal(ref).find("names no schema"), std::string::npos);
    ref["schemas"] = {{"a", {{"$ref", "#/schemas/b"}}}, {"b", {{"$ref", "#/schemas/a"}}}};
    ref["bus"]["services"]["channel.report.verify"]["reply"] = {{"$ref", "#/schemas/a"}};
    EXPECT_NE(refusal(ref).find("too deep"), std::string::npos);
    // Extension points belong to their plugin; contributions name the plugin's own services.
    EXPECT_NE(refusal(with("extension_points", {{"core.x", {{"input", {{"type", "object"}}}, {"output", {{"type", "object"}}}}}})).find("starting with"),
              std::string::npos);
    EXPECT_NE(refusal(with("extension_points", {{"channel.x", {{"mode", "some"}, {"input", {{"type", "object"}}}, {"output", {{"type", "object"}}}}}}))
                  .find("mode"),
              std::string::npos);
    EXPECT_NE(refusal(with("extension_points", {{"channel.x", {{"input", {{"type", "object"}}}}}})).find("output"), std::string::npos);
    EXPECT_NE(refusal(with("contributes", {{"registration.visit.check", "core.customer.claim"}})).find("service of this plugin"), std::string::npos);
    // Roles: admin is the kernel's; grants are for others' permissions.
    EXPECT_NE(refusal(with("roles", {{"admin", {{"zh-CN", "管理员"}}}})).find("not a role name"), std::string::npos);
    EXPECT_NE(refusal(with("roles", {{"buyer", "购房者"}})).find("zh-CN"), std::string::npos);
    EXPECT_NE(refusal(with("grants", {{"channel.report.create", {"buyer"}}})).find("grants name other plugins"), std::string::npos);
    // A bridge has no licence of its own and joins at least two modules.
    EXPECT_NE(refusal(with("bridge", {"registration", "face"})).find("no licence"), std::string::npos);
    EXPECT_NE(refusal(with("bridge", {"registration"})).find("two or more"), std::string::npos);
    // An external plugin has no library.
    EXPECT_NE(refusal(with("external", true)).find("no library"), std::string::npos);
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
    EXPECT_NE(refusal(with("routes", {{{"name", "x.get"}, {"method", "TRACE"}, {"path", "/api/v1/x"}, {"permission", "public"}}})).find("method"),
              std::string::npos);
    EXPECT_NE(refusal(with("routes", {{{"name", "x.get"}, {"method", "GET"}, {"path", "/admin"}, {"permission", "public"}}})).find("route path"),
              std::string::npos);
    EXPECT_NE(refusal(with("routes", {{{"name", "x.get"}, {"method", "GET"}, {"path", "/api/v1/x"}, {"permission", "core.secret"}}}))
                  .find("undeclared permission"),
              std::string::npos);
    EXPECT_NE(refusal(with("routes", {{{"name", "x.get"}, {"method", "GET"}, {"path", "/api/v1/x"}, {"permission", "public"}},
                                      {{"name", "x.get"}, {"method", "GET"}, {"path", "/api/v1/y"}, {"permission", "public"}}}))
                  .find("two routes"),
              std::string::npos);
    EXPECT_NE(refusal(with("permissions", {{"kernel.admin", {{"roles", {"buyer"}}}}})).find("must start with"), std::string::npos);
    EXPECT_NE(refusal(with("bus", {{"services", {{"Not A Name", {{"request", {{"type", "object"}}}, {"reply", {{"type", "object"}}}}}}}}))
                  .find("not a valid name"),
              std::string::npos);
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
        nlohmann::json p = {{"path", "/channel/reports"}, {"component", "Reports.vue"}, {"title", {{"zh-CN", "报备"}}},
                            {"permission", "channel.report.create"}};
        p.merge_patch(changes);
        return nlohmann::json{{"pages", {p}}};
    };
    EXPECT_EQ(refusal(with("web", page(nlohmann::json::object()))), "");
    EXPECT_NE(refusal(with("web", page({{"layout", "tv"}}))).find("layout"), std::string::npos);
    EXPECT_NE(refusal(with("web", page({{"component", "../x.vue"}}))).find("component"), std::string::npos);
    EXPECT_NE(refusal(with("web", page({{"path", "javascript:alert(1)"}}))).find("path"), std::string::npos);
    EXPECT_NE(refusal(with("web", page({{"title", "报备"}}))).find("title"), std::string::npos);
    EXPECT_NE(refusal(with("web", {{"pages", 5}})).find("must be a list"), std::string::npos);
    // Who sees a page is who holds its permission: the plugin's own, not another's or a role list.
    EXPECT_NE(refusal(with("web", page({{"permission", "core.customers.read"}}))).find("own permissions"), std::string::npos);
    EXPECT_EQ(refusal(with("web", page({{"permission", "authenticated"}}))), "");
    EXPECT_NE(refusal(with("web", {{"slots", {{"core.desk", nlohmann::json::object()}}}})).find("web slot"), std::string::npos);
    EXPECT_NE(refusal(with("web", {{"contributes", {{{"slot", "registration.desk.visitor"}, {"component", "../../x.vue"}}}}})).find("component"),
              std::string::npos);
}
