// The plugin host against plugins that misbehave in every way the issue lists, with a real
// anchangd: each one is reported with its reason and the rest keep serving.
#include "support/Http.h"
#include "support/KernelProcess.h"

#include <gtest/gtest.h>

#include <thread>

using namespace anchang::test;

namespace {

KernelProcess::Options fixtures() {
    KernelProcess::Options options;
    options.pluginsDir = KernelProcess::binaryDir() / "test-plugins";
    options.modules = {"good", "dependent"};
    options.settings = {"plugins.disabled=disabled_one"};
    return options;
}

std::map<std::string, nlohmann::json> modulesOf(int port) {
    auto result = http(port, "GET", "/api/v1/modules");
    EXPECT_EQ(result.status, 200);
    std::map<std::string, nlohmann::json> byId;
    const nlohmann::json list = result.json(); // kept: a range-for over a temporary's element would dangle
    for (const auto& module : list["modules"]) byId[module["id"].get<std::string>()] = module;
    return byId;
}

void expectState(const std::map<std::string, nlohmann::json>& modules, const std::string& id, const std::string& state,
                 const std::string& reasonPart) {
    ASSERT_TRUE(modules.count(id)) << id << " is not listed";
    const auto& module = modules.at(id);
    EXPECT_EQ(module["state"], state) << id << ": " << module.dump();
    EXPECT_NE(module["reason"].get<std::string>().find(reasonPart), std::string::npos) << id << ": " << module["reason"];
}

} // namespace

TEST(PluginHost, EveryFailureIsReportedWithItsReasonAndTheRestRun) {
    KernelProcess kernel(fixtures());
    auto modules = modulesOf(kernel.port());
    expectState(modules, "good", "running", "");
    expectState(modules, "dependent", "running", "");
    expectState(modules, "crash_start", "failed", "crashed with SIGSEGV during start");
    expectState(modules, "throw_start", "failed", "the payment gateway is not configured");
    expectState(modules, "wrong_abi", "failed", "wrong ABI: the library exports anchang_plugin_entry_v2");
    expectState(modules, "abi_manifest", "failed", "wrong ABI: plugin.json says ABI 2");
    expectState(modules, "impostor", "failed", "the library says it is good");
    expectState(modules, "undeclared_route", "failed", "is not declared in plugin.json");
    expectState(modules, "bad_manifest", "failed", "not valid JSON");
    expectState(modules, "hostile_manifest", "failed", "must be a file inside the plugin folder");
    expectState(modules, "missing_dep", "failed", "needs nowhere >=1.0, which is not installed");
    expectState(modules, "old_dep", "failed", "needs good >=2.0 <3 but 1.2.0 is installed");
    expectState(modules, "cycle_a", "failed", "dependency cycle");
    expectState(modules, "cycle_b", "failed", "dependency cycle");
    expectState(modules, "unlicensed", "unlicensed", "the licence does not include the module not_bought");
    expectState(modules, "disabled_one", "disabled", "plugins.disabled");
    EXPECT_EQ(modules.at("good")["version"], "1.2.0");

    EXPECT_EQ(http(kernel.port(), "GET", "/api/v1/health").status, 200);
    EXPECT_EQ(http(kernel.port(), "GET", "/api/v1/good/ping").status, 200);
    // Routes of a plugin that failed after registering them never went live.
    EXPECT_EQ(http(kernel.port(), "GET", "/api/v1/throw_start/never").errorCode(), "http.not_found");
    EXPECT_NE(http(kernel.port(), "GET", "/api/v1/users/steal").status, 200);
}

TEST(PluginHost, PluginsTalkOnlyOverTheBusAndAMissingServiceAnswersAtOnce) {
    KernelProcess kernel(fixtures());
    auto asked = http(kernel.port(), "GET", "/api/v1/dependent/ask");
    ASSERT_EQ(asked.status, 200) << asked.body;
    EXPECT_EQ(asked.json()["reply"]["asked"], "by dependent");

    // dependent subscribes to good.*; a ping publishes good.pinged.
    http(kernel.port(), "GET", "/api/v1/good/ping");
    int events = 0;
    for (int i = 0; i < 100 && events == 0; ++i) {
        events = http(kernel.port(), "GET", "/api/v1/dependent/ask").json()["events"];
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_GT(events, 0);

    const auto started = std::chrono::steady_clock::now();
    auto missing = http(kernel.port(), "GET", "/api/v1/dependent/ask?service=channel.report.verify");
    EXPECT_EQ(missing.status, 503);
    EXPECT_EQ(missing.errorCode(), "bus.no_such_service");
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1500)); // not the 2 s deadline

    auto slept = http(kernel.port(), "GET", "/api/v1/dependent/ask?service=good.sleep");
    EXPECT_EQ(slept.status, 200);
}

TEST(PluginHost, AnEditedLicenceIsRefusedWithAClearLogLine) {
    auto options = fixtures();
    options.licenceEdit = {{"projects", 99}};
    KernelProcess kernel(options);
    auto modules = modulesOf(kernel.port());
    expectState(modules, "good", "unlicensed", "signature does not match");
    expectState(modules, "dependent", "unlicensed", "signature does not match");
    expectState(modules, "crash_start", "failed", "crashed"); // always-on plugins still load
    EXPECT_NE(kernel.log().find("licence refused"), std::string::npos);
    EXPECT_EQ(http(kernel.port(), "GET", "/api/v1/modules").json()["licence"]["state"], "refused");
}

TEST(PluginHost, NoLicenceMeansOnlyAlwaysOnPlugins) {
    auto options = fixtures();
    options.licence = false;
    KernelProcess kernel(options);
    expectState(modulesOf(kernel.port()), "good", "unlicensed", "no licence file");
}

TEST(PluginHost, AnExpiredLicenceKeepsDataReadableButRefusesWrites) {
    auto options = fixtures();
    options.expires = "2020-01-31";
    KernelProcess kernel(options);
    expectState(modulesOf(kernel.port()), "good", "running", "");
    const std::string manager = login(kernel.port(), "manager");
    EXPECT_EQ(http(kernel.port(), "GET", "/api/v1/projects/1/good/items", "", manager).status, 200);
    auto write = http(kernel.port(), "POST", "/api/v1/good/items", R"({"name":"x"})", manager);
    EXPECT_EQ(write.status, 403);
    EXPECT_EQ(write.errorCode(), "licence.expired");
    EXPECT_EQ(http(kernel.port(), "GET", "/api/v1/modules").json()["licence"]["state"], "expired");
    // The kernel itself is not locked: a new licence can still be uploaded.
    EXPECT_EQ(http(kernel.port(), "GET", "/api/v1/licence", "", login(kernel.port(), "admin")).status, 200);
}
