// The audit chain through the API of a real anchangd, and tampering with its database file.
#include "support/Http.h"
#include "support/KernelProcess.h"
#include "support/TempDir.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

using namespace anchang::test;

namespace {

void tamper(const std::filesystem::path& dataDir, const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dataDir / "anchang.db").c_str(), &db), SQLITE_OK);
    const std::string script = "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; " + sql;
    ASSERT_EQ(sqlite3_exec(db, script.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
}

} // namespace

TEST(Audit, SensitiveChangesAreChainedAndTamperingIsDetected) {
    KernelProcess::Options options;
    options.pluginsDir = KernelProcess::binaryDir() / "test-plugins";
    options.modules = {"good"};
    TempDir data; // outlives the three kernels that use it
    const std::filesystem::path dataDir = data.path();
    options.dataDir = dataDir;
    {
        KernelProcess kernel(options);
        const std::string admin = login(kernel.port(), "admin");
        for (const char* name : {"a1", "a2", "a3"})
            ASSERT_EQ(http(kernel.port(), "POST", "/api/v1/users",
                           nlohmann::json{{"username", name}, {"display_name", name}, {"password", "demo1234"}}.dump(), admin)
                          .status,
                      201);
        ASSERT_EQ(http(kernel.port(), "PATCH", "/api/v1/users/5", R"({"password":"another-1"})", admin).status, 200);
        ASSERT_EQ(http(kernel.port(), "POST", "/api/v1/good/items", R"({"name":"audited"})", login(kernel.port(), "manager")).status, 201);

        auto entries = http(kernel.port(), "GET", "/api/v1/audit?limit=10", "", admin).json()["entries"];
        ASSERT_EQ(entries.size(), 5u);
        EXPECT_EQ(entries[0]["action"], "good.item.create");
        EXPECT_EQ(entries[0]["detail"]["plugin"], "good");
        EXPECT_EQ(entries[1]["action"], "user.update");
        EXPECT_EQ(entries[1]["detail"]["password"], "(changed)"); // never the password itself
        EXPECT_EQ(entries[4]["action"], "user.create");

        const std::string risk = login(kernel.port(), "risk");
        auto verified = http(kernel.port(), "GET", "/api/v1/audit/verify", "", risk).json();
        EXPECT_TRUE(verified["ok"]);
        EXPECT_EQ(verified["entries"], 5);
        EXPECT_EQ(http(kernel.port(), "GET", "/api/v1/audit/verify", "", login(kernel.port(), "consultant1")).errorCode(),
                  "auth.forbidden");
        EXPECT_EQ(http(kernel.port(), "GET", "/api/v1/projects/1/audit", "", risk).status, 200);
        kernel.stop();
    }
    tamper(dataDir, "UPDATE audit_log SET actor_name = 'someone else' WHERE seq = 2;");
    {
        KernelProcess kernel(options);
        auto verified = http(kernel.port(), "GET", "/api/v1/audit/verify", "", login(kernel.port(), "risk")).json();
        EXPECT_FALSE(verified["ok"]);
        EXPECT_EQ(verified["first_bad"], 2);
        EXPECT_NE(verified["problem"].get<std::string>().find("changed"), std::string::npos);
        kernel.stop();
    }
    tamper(dataDir, "DELETE FROM audit_log WHERE seq = 5;");
    {
        KernelProcess kernel(options);
        auto verified = http(kernel.port(), "GET", "/api/v1/audit/verify", "", login(kernel.port(), "risk")).json();
        EXPECT_FALSE(verified["ok"]);
        EXPECT_EQ(verified["first_bad"], 2); // the first problem is still reported first
    }
}

TEST(Audit, WhatIsCutOffOrWipedShowsAgainstTheRecordsKeptOutsideTheDatabase) {
    KernelProcess::Options options;
    options.pluginsDir = KernelProcess::binaryDir() / "test-plugins";
    options.modules = {"good"};
    TempDir data;
    options.dataDir = data.path();
    nlohmann::json exported;
    {
        KernelProcess kernel(options);
        const std::string admin = login(kernel.port(), "admin");
        for (const char* name : {"b1", "b2", "b3", "b4"})
            ASSERT_EQ(http(kernel.port(), "POST", "/api/v1/users",
                           nlohmann::json{{"username", name}, {"display_name", name}, {"password", "demo1234"}}.dump(), admin)
                          .status,
                      201);
        // The admin exports a signed checkpoint and keeps it away from the server.
        const std::string risk = login(kernel.port(), "risk");
        const auto made = http(kernel.port(), "POST", "/api/v1/audit/checkpoints", "", risk);
        ASSERT_EQ(made.status, 201) << made.body;
        EXPECT_EQ(made.json()["seq"], 4);
        exported = http(kernel.port(), "GET", "/api/v1/audit/checkpoints", "", risk).json();
        EXPECT_FALSE(exported["public_key"].get<std::string>().empty());
        EXPECT_TRUE(http(kernel.port(), "GET", "/api/v1/audit/verify", "", risk).json()["ok"]);
        kernel.stop();
    }
    // Someone with the database file wipes the log and its head.
    tamper(data.path(), "DELETE FROM audit_log; DELETE FROM audit_head;");
    {
        KernelProcess kernel(options);
        const std::string risk = login(kernel.port(), "risk");
        auto verified = http(kernel.port(), "GET", "/api/v1/audit/verify", "", risk).json();
        EXPECT_FALSE(verified["ok"]) << verified.dump();
        EXPECT_NE(verified["problem"].get<std::string>().find("entries were removed"), std::string::npos) << verified.dump();
        // The restart did not move the anchor back over the evidence.
        EXPECT_NE(verified["problem"].get<std::string>().find("anchor"), std::string::npos) << verified.dump();
        // The exported checkpoints say the same; a made-up one is refused as unsigned.
        auto held = http(kernel.port(), "POST", "/api/v1/audit/verify", nlohmann::json{{"checkpoints", exported["checkpoints"]}}.dump(), risk);
        EXPECT_EQ(held.status, 200);
        EXPECT_FALSE(held.json()["ok"]);
        auto forged = exported["checkpoints"];
        forged[0]["seq"] = 1;
        EXPECT_EQ(http(kernel.port(), "POST", "/api/v1/audit/verify", nlohmann::json{{"checkpoints", forged}}.dump(), risk).errorCode(),
                  "audit.checkpoint_invalid");
    }
}
