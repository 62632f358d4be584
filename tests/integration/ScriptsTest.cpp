// Project scripts and custom forms through the HTTP API of a real anchangd, with the `rules`
// fixture plugin calling its hook points the way registration and channel do.
#include "support/Http.h"
#include "support/KernelProcess.h"

#include <gtest/gtest.h>


using namespace anchang::test;

namespace {

class Scripts : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        KernelProcess::Options options;
        options.pluginsDir = KernelProcess::binaryDir() / "test-plugins";
        options.settings = {"scripts.maxFailures=3", "scripts.budgetMs=40"};
        kernel = new KernelProcess(options);
        manager = login(kernel->port(), "manager");
        admin = login(kernel->port(), "admin");
    }
    static void TearDownTestSuite() {
        delete kernel;
        kernel = nullptr;
    }
    static HttpResult api(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr,
                          const std::string& token = manager) {
        return http(kernel->port(), method, "/api/v1/projects/1" + path, body.is_null() ? "" : body.dump(), token);
    }
    /// Creates a script on `hook` and activates its first version; returns its id.
    static std::int64_t activeScript(const std::string& hook, const std::string& name, const std::string& source, int position = 100) {
        auto created = api("POST", "/scripts", {{"hook", hook}, {"name", name}, {"source", source}, {"comment", "v1"}, {"position", position}});
        EXPECT_EQ(created.status, 201) << created.body;
        const std::int64_t id = created.json()["id"];
        EXPECT_EQ(api("POST", "/scripts/" + std::to_string(id) + "/activate", {{"version", 1}}).status, 200);
        return id;
    }
    static void remove(std::int64_t id) { EXPECT_EQ(api("DELETE", "/scripts/" + std::to_string(id)).status, 204); }
    static nlohmann::json assign() {
        return api("POST", "/rules/assign", {{"candidates", {{{"id", 3}, {"name", "张伟"}, {"open_tasks", 7}, {"on_duty", true}},
                                                               {{"id", 4}, {"name", "李娜"}, {"open_tasks", 2}, {"on_duty", true}}}}})
            .json();
    }
    static std::vector<std::string> auditActions() { return anchang::test::auditActions(kernel->port(), admin); }

    static KernelProcess* kernel;
    static std::string manager;
    static std::string admin;
};
KernelProcess* Scripts::kernel = nullptr;
std::string Scripts::manager;
std::string Scripts::admin;

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

} // namespace

TEST_F(Scripts, HookPointsAreListedFromTheManifests) {
    auto hooks = http(kernel->port(), "GET", "/api/v1/hooks", "", manager).json();
    std::map<std::string, nlohmann::json> byName;
    for (const auto& h : hooks["hooks"]) byName[h["name"].get<std::string>()] = h;
    ASSERT_TRUE(byName.count("rules.assign"));
    EXPECT_EQ(byName["rules.assign"]["plugin"], "rules");
    EXPECT_EQ(byName["rules.assign"]["output"]["required"][0], "consultant_id");
    EXPECT_NE(byName["rules.assign"]["default_source"].get<std::string>().find("rotation"), std::string::npos);
    EXPECT_EQ(byName["rules.protection"]["timeout_ms"], 20);
    EXPECT_EQ(hooks["helpers"][0]["name"], "visitCount");
}

TEST_F(Scripts, TheShippedRotationExampleWorksEndToEnd) {
    EXPECT_EQ(assign()["by"], "built-in"); // no script yet
    const auto id = activeScript("rules.assign", "跳过忙碌顾问", KernelProcess::readSource("config/hooks/registration.assign.skip-busy-consultants.js"));
    auto chosen = assign();
    EXPECT_EQ(chosen["by"], "script");
    EXPECT_EQ(chosen["consultant_id"], 4); // 张伟 has 7 open tasks
    remove(id);
    EXPECT_EQ(assign()["by"], "built-in");
}

TEST_F(Scripts, TheShippedChannelExampleShortensOneAgency) {
    const auto id = activeScript("rules.protection", "快房网三天", KernelProcess::readSource("config/hooks/channel.protection.shorter-for-one-agency.js"));
    auto shortened = api("POST", "/rules/protection", {{"agency", "快房网"}, {"default_days", 10}}).json();
    EXPECT_EQ(shortened["protection_days"], 3);
    EXPECT_EQ(shortened["by"], "script");
    auto untouched = api("POST", "/rules/protection", {{"agency", "链家"}, {"default_days", 10}}).json();
    EXPECT_EQ(untouched["protection_days"], 10);
    EXPECT_EQ(untouched["by"], "built-in");
    remove(id);
}

TEST_F(Scripts, ScriptsRunInOrderAndSeeThePreviousAnswer) {
    const auto first = activeScript("rules.assign", "first", "function (input) { return {consultant_id: 3, reason: 'first'}; }", 10);
    const auto second = activeScript("rules.assign", "second",
                                     "function (input, ctx) { return {consultant_id: ctx.previous.consultant_id + 1, reason: 'second saw ' + ctx.previous.reason}; }",
                                     20);
    auto chosen = assign();
    EXPECT_EQ(chosen["consultant_id"], 4);
    EXPECT_EQ(chosen["reason"], "second saw first");
    remove(first);
    remove(second);
}

TEST_F(Scripts, AVetoReachesTheUser) {
    const auto id = activeScript("rules.assign", "closed", "function () { return anchang.veto('今日已闭馆，请明天再来'); }");
    auto result = api("POST", "/rules/assign", {{"candidates", {{{"id", 1}}}}});
    EXPECT_EQ(result.status, 422);
    EXPECT_EQ(result.json()["error"]["message"], "今日已闭馆，请明天再来");
    remove(id);
}

TEST_F(Scripts, EveryKindOfFailureFallsBackAndIsLogged) {
    const std::map<std::string, std::string> failures = {
        {"script.timeout", "function () { for (;;) {} }"},
        {"script.memory", "function () { var a = [], s = 'x'.repeat(100000); for (;;) a.push(s + a.length); }"},
        {"script.error", "function () { function f() { return f() + 1; } return f(); }"},
        {"script.output", "function () { return {consultant_id: 'not a number'}; }"},
    };
    for (const auto& [code, source] : failures) {
        const auto id = activeScript("rules.assign", code, source);
        auto chosen = assign();
        EXPECT_EQ(chosen["by"], "built-in") << code;
        EXPECT_EQ(chosen["consultant_id"], 3) << code;
        EXPECT_NE(chosen["error"].get<std::string>().find(code), std::string::npos) << chosen.dump();
        remove(id);
    }
    const auto regex = activeScript("rules.assign", "regex", "function () { return /^(a+)+$/.test('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!') ? null : null; }");
    EXPECT_EQ(assign()["by"], "built-in");
    remove(regex);
    const auto thrown = activeScript("rules.assign", "throws", "function () { throw new Error('顾问名单为空'); }");
    EXPECT_NE(assign()["error"].get<std::string>().find("顾问名单为空"), std::string::npos);
    remove(thrown);

    auto log = api("GET", "/scripts/log?limit=50").json()["entries"];
    std::string all;
    for (const auto& entry : log) all += entry["message"].get<std::string>() + "\n";
    for (const char* code : {"script.timeout", "script.memory", "script.error", "script.output"})
        EXPECT_NE(all.find(code), std::string::npos) << code;
    EXPECT_EQ(http(kernel->port(), "GET", "/api/v1/health").status, 200);
}

TEST_F(Scripts, AScriptThatKeepsFailingIsSwitchedOffAndAdminsAreAlerted) {
    const auto id = activeScript("rules.assign", "broken", "function (input) { return input.missing.field; }");
    for (int i = 0; i < 3; ++i) EXPECT_EQ(assign()["by"], "built-in");
    auto script = api("GET", "/scripts/" + std::to_string(id)).json();
    EXPECT_FALSE(script["disabled_reason"].is_null());
    EXPECT_EQ(assign()["error"], ""); // switched off: no script runs any more
    auto alerts = http(kernel->port(), "GET", "/api/v1/alerts", "", admin).json()["alerts"];
    ASSERT_FALSE(alerts.empty());
    EXPECT_EQ(alerts[0]["kind"], "script.switched_off");
    EXPECT_NE(alerts[0]["message"]["zh-CN"].get<std::string>().find("broken"), std::string::npos);
    EXPECT_EQ(api("GET", "/alerts").json()["alerts"][0]["id"], alerts[0]["id"]); // the project's manager sees it too
    EXPECT_EQ(api("POST", "/alerts/" + alerts[0]["id"].dump() + "/ack").status, 204);
    EXPECT_TRUE(contains(auditActions(), "script.switch_off"));
    // Activating again (a fixed version) switches it back on.
    auto fixed = api("POST", "/scripts/" + std::to_string(id) + "/versions",
                     {{"source", "function () { return {consultant_id: 4}; }"}, {"comment", "修复"}});
    ASSERT_EQ(fixed.status, 201);
    EXPECT_EQ(api("POST", "/scripts/" + std::to_string(id) + "/activate", {{"version", 2}}).status, 200);
    EXPECT_EQ(assign()["by"], "script");
    remove(id);
}

TEST_F(Scripts, VersionsActivationRollbackAndDeletionAreAudited) {
    const auto id = activeScript("rules.assign", "versions", "function () { return {consultant_id: 3}; }");
    const std::string path = "/scripts/" + std::to_string(id);
    EXPECT_EQ(api("POST", path + "/versions", {{"source", "function () { return {consultant_id: 4}; }"}, {"comment", "换人"}}).status, 201);
    EXPECT_EQ(api("POST", path + "/activate", {{"version", 2}}).status, 200);
    EXPECT_EQ(assign()["consultant_id"], 4);
    auto rolled = api("POST", path + "/rollback");
    EXPECT_EQ(rolled.status, 200);
    EXPECT_EQ(rolled.json()["active_version"], 1);
    EXPECT_EQ(assign()["consultant_id"], 3);
    auto script = api("GET", path).json();
    ASSERT_EQ(script["versions"].size(), 2u);
    EXPECT_EQ(script["versions"][0]["comment"], "换人");
    EXPECT_EQ(script["versions"][0]["author_name"], "经理");
    EXPECT_EQ(api("GET", path + "/versions/2").json()["source"], "function () { return {consultant_id: 4}; }");
    EXPECT_EQ(api("POST", path + "/activate", {{"version", 9}}).errorCode(), "script.version_not_found");
    remove(id);
    EXPECT_EQ(api("GET", path).errorCode(), "script.not_found");
    const auto actions = auditActions();
    for (const char* action : {"script.activate", "script.rollback", "script.delete"}) EXPECT_TRUE(contains(actions, action)) << action;
}

TEST_F(Scripts, BadScriptsAndBadRequestsAreRefused) {
    auto syntax = api("POST", "/scripts", {{"hook", "rules.assign"}, {"name", "x"}, {"source", "function ( {"}});
    EXPECT_EQ(syntax.errorCode(), "script.syntax");
    EXPECT_EQ(api("POST", "/scripts", {{"hook", "rules.nope"}, {"name", "x"}, {"source", "function () {}"}}).errorCode(), "hook.unknown");
    EXPECT_EQ(api("POST", "/scripts", {{"hook", "rules.assign"}, {"name", 5}, {"source", "function () {}"}}).errorCode(), "script.invalid");
    EXPECT_EQ(api("POST", "/scripts", {{"hook", "rules.assign"}, {"name", "x"}, {"source", std::string(70000, ' ')}}).errorCode(),
              "script.too_large");
    EXPECT_EQ(api("GET", "/scripts", nullptr, login(kernel->port(), "consultant1")).errorCode(), "auth.forbidden");
    EXPECT_EQ(api("POST", "/scripts/999/activate", {{"version", 1}}).errorCode(), "script.not_found");

    // The same checks on create and on change.
    EXPECT_EQ(api("POST", "/scripts", {{"hook", "rules.assign"}, {"name", std::string(101, 'x')}, {"source", "function () {}"}}).errorCode(),
              "script.invalid");
    EXPECT_EQ(api("POST", "/scripts", {{"hook", "rules.assign"}, {"name", "x"}, {"position", "1"}, {"source", "function () {}"}}).errorCode(),
              "script.invalid");
    const auto id = std::to_string(activeScript("rules.assign", "改名测试", "function () { return null; }"));
    EXPECT_EQ(api("PATCH", "/scripts/" + id, {{"name", ""}}).errorCode(), "script.invalid");
    EXPECT_EQ(api("PATCH", "/scripts/" + id, {{"name", std::string(101, 'x')}}).errorCode(), "script.invalid");
    EXPECT_EQ(api("PATCH", "/scripts/" + id, {{"position", 1.5}}).errorCode(), "script.invalid");
    EXPECT_EQ(api("POST", "/scripts/" + id + "/activate", nlohmann::json::object()).errorCode(), "script.invalid");
    EXPECT_EQ(api("POST", "/scripts/" + id + "/rollback", nlohmann::json::object()).errorCode(), "script.nothing_to_roll_back");
    EXPECT_EQ(api("GET", "/scripts/log?limit=10abc").errorCode(), "request.invalid");
    EXPECT_EQ(api("POST", "/scripts/dry-run", {{"hook", "rules.assign"}}).errorCode(), "script.invalid");
    EXPECT_EQ(api("POST", "/scripts/dry-run", {{"hook", "rules.assign"}, {"source", "function () {}"}, {"now", "tomorrow"}}).errorCode(),
              "script.invalid");
    remove(std::stoll(id));

    // Alerts and forms: unknown ids, a member's validation call.
    EXPECT_EQ(api("POST", "/alerts/999999/ack", nlohmann::json::object()).errorCode(), "alert.not_found");
    EXPECT_EQ(api("POST", "/forms/nope/validate", {{"values", nlohmann::json::object()}}).errorCode(), "form.not_found");
    EXPECT_EQ(api("POST", "/forms/rules.visit/validate", {{"values", "x"}}).errorCode(), "form.invalid");
}

TEST_F(Scripts, DryRunReportsOutputLogsTimeAndMemoryWithoutSideEffects) {
    const auto logBefore = api("GET", "/scripts/log?limit=500").json()["entries"].size();
    auto run = api("POST", "/scripts/dry-run",
                   {{"hook", "rules.assign"},
                    {"source", "function (input) { var n = anchang.helpers.visitCount({phone: input.customer.phone});"
                               " console.log('visits', n.visits, new Date().toISOString());"
                               " return {consultant_id: input.candidates[1].id, reason: 'visits=' + n.visits}; }"},
                    {"now", "2026-11-22T10:00:00+08:00"}});
    ASSERT_EQ(run.status, 200) << run.body;
    auto result = run.json();
    EXPECT_TRUE(result["ok"]);
    EXPECT_EQ(result["output"]["consultant_id"], 4); // the hook's sample input
    EXPECT_EQ(result["output"]["reason"], "visits=0");
    EXPECT_EQ(result["logs"][0]["message"], "visits 0 2026-11-22T02:00:00.000Z");
    EXPECT_GT(result["time_us"].get<int>(), 0);
    EXPECT_GT(result["memory_bytes"].get<int>(), 10000);

    auto failing = api("POST", "/scripts/dry-run", {{"hook", "rules.assign"}, {"source", "function () { for (;;) {} }"}}).json();
    EXPECT_FALSE(failing["ok"]);
    EXPECT_EQ(failing["code"], "script.timeout");
    auto shape = api("POST", "/scripts/dry-run", {{"hook", "rules.assign"}, {"source", "function () { return {who: 1}; }"},
                                                  {"input", {{"nothing", true}}}}).json();
    EXPECT_FALSE(shape["ok"]);
    EXPECT_FALSE(shape["output_problems"].empty());
    EXPECT_FALSE(shape["input_problems"].empty());
    EXPECT_EQ(api("GET", "/scripts/log?limit=500").json()["entries"].size(), logBefore);
}

TEST_F(Scripts, CustomFieldsAreValidatedStoredAndCrossChecked) {
    auto example = nlohmann::json::parse(KernelProcess::readSource("config/forms/registration.visit.intended-building.json"));
    auto fields = example["fields"];
    fields.push_back({{"key", "budget"}, {"label", {{"zh-CN", "预算（万元）"}, {"en", "Budget (10k CNY)"}}},
                      {"schema", {{"type", "integer"}, {"minimum", 50}, {"maximum", 5000}}}, {"required", true}, {"order", 40}});
    fields.push_back({{"key", "spouse_phone"}, {"label", {{"zh-CN", "配偶手机"}}}, {"schema", {{"type", "string"}, {"format", "phone"}}}});
    auto saved = api("PUT", "/forms/rules.visit/fields", {{"fields", fields}});
    ASSERT_EQ(saved.status, 200) << saved.body;
    auto definition = api("GET", "/forms/rules.visit", nullptr, login(kernel->port(), "consultant1")).json();
    EXPECT_EQ(definition["base_fields"].size(), 3u);
    EXPECT_EQ(definition["custom_fields"][0]["label"]["zh-CN"], "意向楼栋");

    nlohmann::json visit = {{"phone", "13800000001"}, {"name", "王先生"}, {"layout", "三房"}, {"intended_building", "2号楼"},
                            {"budget", 300}, {"spouse_phone", "+86 139-0000-0002"}};
    auto ok = api("POST", "/rules/visits", visit);
    ASSERT_EQ(ok.status, 201) << ok.body;
    EXPECT_EQ(ok.json()["custom"]["spouse_phone"], "13900000002"); // normalized
    EXPECT_EQ(ok.json()["custom"]["intended_building"], "2号楼");

    auto wrong = visit;
    wrong["intended_building"] = "9号楼";
    wrong.erase("budget");
    wrong["shoe_size"] = 42;
    auto refused = api("POST", "/rules/visits", wrong);
    EXPECT_EQ(refused.status, 400);
    std::set<std::string> codes;
    const auto body = refused.json();
    for (const auto& f : body["error"]["fields"]) codes.insert(f["code"].get<std::string>());
    EXPECT_TRUE(codes.count("form.enum"));
    EXPECT_TRUE(codes.count("form.required"));
    EXPECT_TRUE(codes.count("form.unknown_field"));

    // A validation hook adds a rule across fields.
    const auto rule = activeScript("rules.visit.validate", "大户型预算",
                                   "function (input) { var v = input.values;"
                                   " if (v.layout === '四房' && v.budget < 500) return {errors: [{field: 'budget', message: '四房预算不少于500万'}]};"
                                   " return null; }");
    auto big = visit;
    big["layout"] = "四房";
    auto crossed = api("POST", "/rules/visits", big);
    EXPECT_EQ(crossed.status, 400);
    EXPECT_EQ(crossed.json()["error"]["fields"][0]["message"]["zh-CN"], "四房预算不少于500万");
    remove(rule);

    EXPECT_EQ(api("PUT", "/forms/rules.visit/fields", {{"fields", {{{"key", "phone"}, {"label", {{"zh-CN", "x"}}}, {"schema", nlohmann::json::object()}}}}})
                  .errorCode(),
              "form.duplicate_field");
    EXPECT_EQ(api("PUT", "/forms/rules.visit/fields", {{"fields", {{{"key", "x"}, {"label", {{"zh-CN", "x"}}}, {"schema", {{"oneOf", 1}}}}}}})
                  .errorCode(),
              "form.invalid");
    EXPECT_EQ(api("PUT", "/forms/rules.visit/fields", {{"fields", nlohmann::json::array()}}, login(kernel->port(), "consultant1"))
                  .errorCode(),
              "auth.forbidden");
    EXPECT_EQ(api("GET", "/forms/nope.form").errorCode(), "form.not_found");
    EXPECT_TRUE(contains(auditActions(), "form.fields.change"));
}
