// What a hostile user tried against a real anchangd with the demo project (issue "Hardening"):
// each attack that once took the server down or leaked what it should not, kept out for good.
#include "support/Http.h"
#include "support/KernelProcess.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace anchang::test;

namespace {

class Hardening : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        KernelProcess::Options options;
        options.pluginsDir = KernelProcess::binaryDir() / "plugins";
        options.modules = {"registration"};
        options.settings = {"demo.seed=" + (KernelProcess::sourceDir() / "config/demo/kernel.json").string(),
                            "plugins.core.demo_seed=" + (KernelProcess::sourceDir() / "config/demo/core.json").string()};
        kernel = new KernelProcess(options);
    }
    static void TearDownTestSuite() {
        delete kernel;
        kernel = nullptr;
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
};
KernelProcess* Hardening::kernel = nullptr;

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
