#pragma once
/// anchang::test::DemoProject — a test fixture: a real anchangd with the real modules of
/// build/plugins (core, and registration licensed), the demo users and project of config/demo,
/// and helpers to call the project's API as the receptionist (default) or anyone else.

#include "support/Http.h"
#include "support/KernelProcess.h"
#include "support/TempDir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace anchang::test {

class DemoProject : public ::testing::Test {
protected:
    void SetUp() override {
        options.pluginsDir = KernelProcess::binaryDir() / "plugins";
        options.modules = {"registration"};
        options.settings = {"demo.seed=" + (KernelProcess::sourceDir() / "config/demo/kernel.json").string(),
                            "plugins.core.demo_seed=" + (KernelProcess::sourceDir() / "config/demo/core.json").string(),
                            "scripts.maxFailures=100"};
        // The data folder outlives one process, for the tests that restart the kernel.
        options.dataDir = data.path();
        configure(options);
        kernel = std::make_unique<KernelProcess>(options);
        desk = login(kernel->port(), "receptionist");
        manager = login(kernel->port(), "manager");
    }

    /// A test fixture's own additions (plugins beside the real ones, settings).
    virtual void configure(KernelProcess::Options&) {}

    /// Stops the kernel and starts it again on the same data, with `settings` added this time.
    void restart(const std::vector<std::string>& settings = {}) {
        kernel.reset();
        auto again = options;
        again.settings.insert(again.settings.end(), settings.begin(), settings.end());
        kernel = std::make_unique<KernelProcess>(again);
        desk = login(kernel->port(), "receptionist");
        manager = login(kernel->port(), "manager");
    }

    HttpResult api(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr,
                   const std::string& token = "", const std::map<std::string, std::string>& headers = {}) {
        return http(kernel->port(), method, "/api/v1/projects/1" + path, body.is_null() ? "" : body.dump(),
                    token.empty() ? desk : token, headers);
    }
    nlohmann::json visit(const std::string& phone, const std::string& name = "王先生", nlohmann::json extra = nlohmann::json::object()) {
        nlohmann::json body = {{"phone", phone}, {"name", name}, {"questionnaire", {{"layout", "三室两厅两卫"}, {"budget", "300-500万"}}}};
        body.merge_patch(extra);
        auto result = api("POST", "/visits", body);
        const bool registered = result.status == 201 || result.status == 200;
        // A refusal's reason is in the kernel's log (an internal error says only its request id).
        EXPECT_TRUE(registered) << result.body << (registered ? "" : "\n" + kernel->log());
        return result.json();
    }
    std::int64_t userId(const std::string& username) {
        return http(kernel->port(), "GET", "/api/v1/auth/me", "", login(kernel->port(), username)).json()["id"];
    }
    void setStatus(const std::string& username, const std::string& status) {
        ASSERT_EQ(api("PUT", "/roster/" + std::to_string(userId(username)), {{"status", status}}, manager).status, 200);
    }
    std::vector<std::string> auditActions() { return test::auditActions(kernel->port(), login(kernel->port(), "admin")); }

    TempDir data;
    KernelProcess::Options options;
    std::unique_ptr<KernelProcess> kernel;
    std::string desk;
    std::string manager;
};

} // namespace anchang::test
