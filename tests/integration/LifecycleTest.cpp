// Start, stop, restart and back up a real anchangd.
#include "support/Http.h"
#include "support/KernelProcess.h"
#include "support/TempDir.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <csignal>
#include <fstream>
#include <future>
#include <thread>

using namespace anchang::test;

namespace {

KernelProcess::Options withGood() {
    KernelProcess::Options options;
    options.pluginsDir = KernelProcess::binaryDir() / "test-plugins";
    options.modules = {"good"};
    return options;
}

std::int64_t countRows(const std::string& file, const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    std::int64_t n = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW) n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
}

} // namespace

TEST(Lifecycle, SigtermLetsTheRequestInFlightFinish) {
    KernelProcess kernel(withGood());
    auto slow = std::async(std::launch::async, [&] { return http(kernel.port(), "GET", "/api/v1/good/slow?ms=1500"); });
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    const int code = kernel.stop();
    auto result = slow.get();
    EXPECT_EQ(result.status, 200);
    EXPECT_EQ(code, 0);
    const std::string log = kernel.log();
    EXPECT_NE(log.find("draining"), std::string::npos);
    EXPECT_NE(log.find("plugin good stopped"), std::string::npos);
    EXPECT_NE(log.find("\"msg\":\"stopped\""), std::string::npos);
}

TEST(Lifecycle, WhatWasAcknowledgedSurvivesARestart) {
    TempDir data;
    const std::filesystem::path dataDir = data.path();
    auto options = withGood();
    options.dataDir = dataDir;
    std::string consultantToken;
    {
        KernelProcess kernel(options);
        const std::string admin = login(kernel.port(), "admin");
        ASSERT_EQ(http(kernel.port(), "POST", "/api/v1/users",
                       R"({"username":"newcomer","display_name":"新同事","password":"welcome-1",
                           "roles":[{"role":"consultant","project_id":1}]})",
                       admin)
                      .status,
                  201);
        consultantToken = login(kernel.port(), "newcomer", "welcome-1");
        ASSERT_EQ(http(kernel.port(), "POST", "/api/v1/good/items", R"({"name":"kept"})", login(kernel.port(), "manager")).status, 201);
        // Simulate a crash: no chance to close anything.
        std::ifstream runtime(dataDir / "run" / "anchangd.json");
        ::kill(nlohmann::json::parse(runtime)["pid"].get<int>(), SIGKILL);
    }
    KernelProcess restarted(options);
    EXPECT_EQ(http(restarted.port(), "GET", "/api/v1/auth/me", "", consultantToken).json()["username"], "newcomer");
    EXPECT_EQ(http(restarted.port(), "GET", "/api/v1/projects/1/good/items", "", consultantToken).json()["items"][0]["name"], "kept");
}

TEST(Lifecycle, OnlineBackupWhileServing) {
    KernelProcess kernel(withGood());
    const std::string admin = login(kernel.port(), "admin");
    auto viaApi = http(kernel.port(), "POST", "/api/v1/system/backup", "", admin);
    ASSERT_EQ(viaApi.status, 201);
    EXPECT_EQ(countRows(viaApi.json()["path"], "SELECT COUNT(*) FROM users"), 4);

    const auto target = kernel.dataDir() / "cli-backup.db";
    std::string output;
    const int code = KernelProcess::runToExit({"--config", (kernel.dataDir() / "test.properties").string(), "--data-dir",
                                               kernel.dataDir().string(), "--backup", target.string()},
                                              output);
    EXPECT_EQ(code, 0) << output;
    EXPECT_EQ(countRows(target.string(), "SELECT COUNT(*) FROM users"), 4);
    EXPECT_EQ(countRows(target.string(), "SELECT COUNT(*) FROM audit_log WHERE action = 'system.backup'"), 1);
    EXPECT_EQ(http(kernel.port(), "GET", "/api/v1/health").status, 200);
}

TEST(Lifecycle, ATakenPortIsAClearStartFailure) {
    KernelProcess kernel(withGood());
    std::string output;
    const int code = KernelProcess::runToExit({"--config", (kernel.dataDir() / "test.properties").string(), "--data-dir",
                                               (kernel.dataDir() / "second").string(), "--port",
                                               std::to_string(kernel.port()), "--set", "bus.external=false"},
                                              output);
    EXPECT_NE(code, 0);
    EXPECT_NE(output.find("cannot start"), std::string::npos) << output;
    // Which address, and why: "Net Exception" alone sent people hunting.
    EXPECT_NE(output.find("cannot listen on "), std::string::npos) << output;
    EXPECT_NE(output.find(":" + std::to_string(kernel.port()) + ": "), std::string::npos) << output;
    EXPECT_NE(output.find("in use"), std::string::npos) << output;
}

TEST(Lifecycle, ExpiredTokensAreRefused) {
    auto options = withGood();
    options.settings = {"auth.tokenTtl=1"};
    KernelProcess kernel(options);
    const std::string token = login(kernel.port(), "admin");
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    EXPECT_EQ(http(kernel.port(), "GET", "/api/v1/auth/me", "", token).errorCode(), "auth.token_expired");
}
