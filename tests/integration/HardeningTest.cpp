// What a hostile user tried against a real anchangd with the demo project (issue "Hardening"):
// each attack that once took the server down or leaked what it should not, kept out for good.
#include "support/Http.h"
#include "support/KernelProcess.h"

#include <gtest/gtest.h>

#include <string>

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
