// What a hostile user tried against a real anchangd with the demo project (issue "Hardening"):
// each attack that once took the server down or leaked what it should not, kept out for good.
#include "support/Http.h"
#include "support/KernelProcess.h"
#include "support/TempDir.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace anchang::test;

namespace {

class Hardening : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        // A stand-in for the built web UI: the kernel serves whatever index.html it finds.
        webui = new TempDir;
        std::ofstream(webui->path() / "index.html") << "<!doctype html><title>案场</title><div id=app></div>";
        KernelProcess::Options options;
        options.pluginsDir = KernelProcess::binaryDir() / "plugins";
        options.modules = {"registration"};
        options.settings = {"demo.seed=" + (KernelProcess::sourceDir() / "config/demo/kernel.json").string(),
                            "plugins.core.demo_seed=" + (KernelProcess::sourceDir() / "config/demo/core.json").string(),
                            "webui.dir=" + webui->path().string()};
        kernel = new KernelProcess(options);
    }
    static void TearDownTestSuite() {
        delete kernel;
        kernel = nullptr;
        delete webui;
        webui = nullptr;
    }
    static int port() { return kernel->port(); }
    static HttpResult project(const std::string& method, const std::string& path, const std::string& body, const std::string& token) {
        return http(port(), method, "/api/v1/projects/1" + path, body, token);
    }
    static bool alive() { return http(port(), "GET", "/api/v1/health").status == 200 && !kernel->exited(); }
    /// Creates a script on `hook` in `projectId` and activates it; returns its id.
    static std::int64_t activate(std::int64_t projectId, const std::string& hook, const std::string& source, const std::string& token) {
        const std::string base = "/api/v1/projects/" + std::to_string(projectId) + "/scripts";
        auto created = http(port(), "POST", base, nlohmann::json{{"hook", hook}, {"name", hook}, {"source", source}}.dump(), token);
        EXPECT_EQ(created.status, 201) << created.body;
        const std::int64_t id = created.json().value("id", std::int64_t{0});
        EXPECT_EQ(http(port(), "POST", base + "/" + std::to_string(id) + "/activate", R"({"version":1})", token).status, 200);
        return id;
    }
    static void remove(std::int64_t projectId, std::int64_t id, const std::string& token) {
        http(port(), "DELETE", "/api/v1/projects/" + std::to_string(projectId) + "/scripts/" + std::to_string(id), "", token);
    }
    static KernelProcess* kernel;
    static TempDir* webui;
};
KernelProcess* Hardening::kernel = nullptr;
TempDir* Hardening::webui = nullptr;

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

} // namespace

TEST_F(Hardening, DeeplyNestedJsonIsRefusedWhereverItEnters) {
    const std::string consultant = login(port(), "consultant1");
    const std::string desk = login(port(), "receptionist");
    const std::string manager = login(port(), "manager");
    // 70,000 levels in 140 KB: each of these once overflowed a worker's stack (exit 139).
    const std::string deep = nested(70000);
    struct Attempt {
        std::string method, path, body, token;
    };
    const std::vector<Attempt> attempts = {
        {"POST", "/forms/registration.visit/validate", R"({"values":{"budget":)" + deep + "}}", consultant},
        {"POST", "/visits", R"({"phone":"13900000001","name":"王","questionnaire":{"layout":"三室","x":)" + deep + "}}", desk},
        {"POST", "/scripts/dry-run", R"({"hook":"registration.assign","source":"function(){}","input":)" + deep + "}", manager},
        {"PUT", "/profile", R"({"profile":)" + deep + "}", manager},
    };
    for (const auto& attempt : attempts) {
        const auto answer = project(attempt.method, attempt.path, attempt.body, attempt.token);
        EXPECT_EQ(answer.status, 400) << attempt.path << ": " << answer.body.substr(0, 200);
        EXPECT_EQ(answer.errorCode(), "request.too_deep") << attempt.path;
        ASSERT_TRUE(alive()) << "the server died on " << attempt.path;
    }
    // The limit is generous for real documents, and a bracket inside a string is text.
    const auto ok = project("PUT", "/profile", R"({"profile":{"notes":")" + std::string(1000, '[') + R"(","tree":)" + nested(40) + "}}",
                            manager);
    EXPECT_EQ(ok.status, 200) << ok.body.substr(0, 200);
}

TEST_F(Hardening, AStuckScriptCostsItsProjectOneCallNotTheServer) {
    const std::string admin = login(port(), "admin");
    const std::string manager = login(port(), "manager");
    const std::string desk = login(port(), "receptionist");
    // A second project with a rule of its own, to show it is not held up by the first.
    auto second = http(port(), "POST", "/api/v1/projects", R"({"code":"hardening2","name":"第二个项目"})", admin);
    ASSERT_EQ(second.status, 201) << second.body;
    const std::int64_t other = second.json()["id"];
    const auto otherRule = activate(other, "registration.visit.validate", "function (input) { return {errors: []}; }", admin);
    // Quadratic in native code: this once ran 15 s per call, holding the project's heap.
    const auto stuck = activate(1, "registration.assign", "function () { 'a'.repeat(2e5).replace(/(?=a*c)|a/g, ''); return null; }", manager);

    std::atomic<bool> done{false};
    std::mutex mutex;
    std::vector<long> healthMs, otherMs;
    std::thread watcher([&] {
        while (!done) {
            auto started = std::chrono::steady_clock::now();
            const int health = http(port(), "GET", "/api/v1/health").status;
            const long took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
            started = std::chrono::steady_clock::now();
            const auto validated = http(port(), "POST", "/api/v1/projects/" + std::to_string(other) + "/forms/registration.visit/validate",
                                        R"({"values":{"phone":"13800000000","name":"王","layout":"三室"}})", admin);
            const long otherTook = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
            std::lock_guard lock(mutex);
            healthMs.push_back(health == 200 ? took : 100000);
            otherMs.push_back(validated.status == 200 && validated.json()["ok"] == true ? otherTook : 100000);
        }
    });
    std::vector<std::thread> desks;
    std::atomic<int> registered{0};
    for (int i = 0; i < 80; ++i)
        desks.emplace_back([&, i] {
            const auto answer = http(port(), "POST", "/api/v1/projects/1/visits",
                                     nlohmann::json{{"phone", "1370000" + std::to_string(1000 + i)}, {"name", "访客"},
                                                    {"questionnaire", {{"layout", "三室"}}}}.dump(), desk);
            if (answer.status == 201) ++registered;
        });
    for (auto& t : desks) t.join();
    done = true;
    watcher.join();
    // Every visitor was registered by the built-in rotation; nothing waited on the script for long.
    EXPECT_EQ(registered.load(), 80);
    ASSERT_FALSE(healthMs.empty());
    EXPECT_LT(*std::max_element(healthMs.begin(), healthMs.end()), 1000) << "health froze while the script ran";
    EXPECT_LT(*std::max_element(otherMs.begin(), otherMs.end()), 1000) << "another project's rule waited on this one";
    // Calls that overlapped a running one fell back at once; the rule itself is switched off
    // after its fifth failure in a row, and the managers were told at the first.
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(http(port(), "POST", "/api/v1/projects/1/visits",
                       nlohmann::json{{"phone", "1370000" + std::to_string(2000 + i)}, {"name", "访客"}, {"questionnaire", {{"layout", "三室"}}}}.dump(),
                       desk).status,
                  201);
    auto script = http(port(), "GET", "/api/v1/projects/1/scripts/" + std::to_string(stuck), "", manager).json();
    EXPECT_TRUE(script["disabled_reason"].is_string()) << script.dump();
    auto alerts = http(port(), "GET", "/api/v1/projects/1/alerts", "", manager).json()["alerts"];
    bool failedAlert = false;
    for (const auto& alert : alerts) failedAlert = failedAlert || alert["kind"] == "script.failed";
    EXPECT_TRUE(failedAlert) << alerts.dump();
    remove(1, stuck, manager);
    remove(other, otherRule, admin);
}

TEST_F(Hardening, BuiltInFormFieldsAreCheckedBeforeAnyRuleSeesThem) {
    const std::string manager = login(port(), "manager");
    const std::string consultant = login(port(), "consultant2");
    const std::string desk = login(port(), "receptionist");
    // A manager's rule that assumes what the form promises: a text budget.
    const auto rule = activate(1, "registration.visit.validate",
                               "function (input) { var b = input.values.budget; return {errors: b && b.indexOf('万') < 0 ? "
                               "[{field: 'budget', message: '预算请写万元'}] : []}; }",
                               manager);
    // Once, five of these switched the rule off by making it throw.
    for (int i = 0; i < 6; ++i) {
        const auto answer = project("POST", "/forms/registration.visit/validate",
                                    R"({"values":{"phone":"13600001111","name":"刘","layout":"三室","budget":{"a":1}}})", consultant);
        ASSERT_EQ(answer.status, 200) << answer.body;
        EXPECT_EQ(answer.json()["ok"], false);
        EXPECT_EQ(answer.json()["errors"].size(), 1u) << answer.body;
        EXPECT_EQ(answer.json()["errors"][0]["field"], "budget") << answer.body;
    }
    auto script = project("GET", "/scripts/" + std::to_string(rule), "", manager).json();
    EXPECT_EQ(script["failures"], 0) << script.dump();
    EXPECT_EQ(script["active_version"], 1) << script.dump();

    const auto visit = [&](const nlohmann::json& extra) {
        nlohmann::json body = {{"phone", "13600001111"}, {"name", "刘女士"}, {"questionnaire", {{"layout", "三室"}, {"budget", "300万"}}}};
        body.merge_patch(extra);
        return project("POST", "/visits", body.dump(), desk);
    };
    for (const auto& [bad, field] : std::vector<std::pair<nlohmann::json, std::string>>{
             {{{"gender", "robot"}}, "gender"},
             {{{"questionnaire", {{"layout", std::string(5000, 'x')}}}}, "layout"},
             {{{"questionnaire", {{"budget", {{"min", 300}}}}}}, "budget"},
             {{{"questionnaire", {{"area", std::string("90\0m", 4)}}}}, "area"}}) {
        const auto answer = visit(bad);
        EXPECT_EQ(answer.status, 400) << bad.dump();
        EXPECT_EQ(answer.errorCode(), "visit.invalid_fields") << answer.body;
        EXPECT_EQ(answer.json()["error"]["fields"][0]["field"], field) << answer.body;
    }
    const auto good = visit(nlohmann::json::object());
    EXPECT_EQ(good.status, 201) << good.body;
    remove(1, rule, manager);
}

TEST_F(Hardening, ConsultantsSeeAndHandleOnlyTheirOwnCustomersDeals) {
    const std::string manager = login(port(), "manager");
    const std::string owner = login(port(), "consultant1");  // owns 孙先生 (13911110003) in the demo
    const std::string other = login(port(), "consultant2");
    const auto customers = project("GET", "/customers?phone=13911110003", "", manager).json()["customers"];
    ASSERT_EQ(customers.size(), 1u);
    const std::int64_t customer = customers[0]["id"];
    const auto units = project("GET", "/units?status=available", "", manager).json()["units"];
    ASSERT_GE(units.size(), 2u);
    const auto deal = [&](const nlohmann::json& unit, const std::string& token) {
        return project("POST", "/deals", nlohmann::json{{"customer_id", customer}, {"unit_id", unit["id"]}, {"amount", 5000000}}.dump(), token);
    };
    // A colleague cannot put a deal on someone else's customer...
    EXPECT_EQ(deal(units[0], other).errorCode(), "customer.not_found");
    // ...the owner can, and the colleague can neither see it nor sign or pay it.
    const auto mine = deal(units[1], owner);
    ASSERT_EQ(mine.status, 201) << mine.body;
    const std::string id = std::to_string(mine.json()["id"].get<std::int64_t>());
    EXPECT_EQ(project("POST", "/deals/" + id + "/payments", R"({"amount":5000000,"kind":"full"})", other).errorCode(), "deal.not_found");
    EXPECT_EQ(project("POST", "/deals/" + id + "/contract", "{}", other).errorCode(), "deal.not_found");
    const auto theirs = project("GET", "/deals", "", other).json();
    EXPECT_EQ(theirs["scope"], "own");
    const auto mineId = mine.json()["id"];
    for (const auto& d : theirs["deals"]) EXPECT_NE(d["id"], mineId);
    EXPECT_EQ(project("GET", "/deals", "", owner).json()["deals"].size(), 1u);
    // Finance and managers see every deal.
    EXPECT_EQ(project("GET", "/deals", "", login(port(), "finance")).json()["scope"], "all");
    EXPECT_EQ(project("POST", "/deals/" + id + "/payments", R"({"amount":100000,"kind":"deposit"})", manager).status, 201);
}

TEST_F(Hardening, SearchTextIsTextNotAPattern) {
    const std::string manager = login(port(), "manager");
    const auto all = project("GET", "/customers?limit=200", "", manager).json()["customers"];
    ASSERT_FALSE(all.empty());
    for (const char* wildcard : {"%25", "_", "%5C", "%25%25"})
        EXPECT_TRUE(project("GET", std::string("/customers?q=") + wildcard, "", manager).json()["customers"].empty()) << wildcard;
    EXPECT_FALSE(project("GET", "/customers?q=" + std::string("1391111"), "", manager).json()["customers"].empty());
    EXPECT_TRUE(http(port(), "GET", "/api/v1/audit?action=%25", "", login(port(), "admin")).json()["entries"].empty());
}

TEST_F(Hardening, PagesCarrySecurityHeadersAndHeadTellsTheRealLength) {
    const auto page = http(port(), "GET", "/");
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.headers.at("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_NE(page.headers.at("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
    EXPECT_EQ(page.headers.at("X-Frame-Options"), "DENY");
    EXPECT_EQ(page.headers.at("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(page.headers.at("Referrer-Policy"), "same-origin");
    EXPECT_EQ(http(port(), "GET", "/api/v1/health").headers.at("X-Content-Type-Options"), "nosniff");
    const auto head = http(port(), "HEAD", "/");
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.headers.at("Content-Length"), std::to_string(page.body.size()));
    EXPECT_TRUE(head.body.empty());
}

TEST_F(Hardening, ModuleErrorsCarryTheRequestId) {
    const auto refused = project("POST", "/visits", R"({"phone":"123","name":"x"})", login(port(), "receptionist"));
    EXPECT_EQ(refused.status, 400);
    EXPECT_EQ(refused.errorCode(), "visit.phone_invalid");
    const std::string id = refused.json()["error"].value("request_id", "");
    EXPECT_FALSE(id.empty());
    EXPECT_EQ(refused.headers.at("X-Request-Id"), id);
}
