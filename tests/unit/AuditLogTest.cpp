#include "audit/AuditLog.h"
#include "store/KernelMigrations.h"
#include "store/Migrator.h"
#include "store/Store.h"
#include "support/TempDir.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

using anchang::AuditLog;
using anchang::Store;

namespace {

struct AuditLogTest : ::testing::Test {
    anchang::test::TempDir dir;
    std::unique_ptr<Store> store;
    std::unique_ptr<AuditLog> audit;

    void SetUp() override {
        store = std::make_unique<Store>(Store::Options{dir.file("audit.db")});
        anchang::Migrator(*store).apply("kernel", anchang::kernelMigrations());
        audit = std::make_unique<AuditLog>(*store);
        for (int i = 1; i <= 5; ++i)
            audit->append({7, "manager", 1, "customer.owner.change", "customer:" + std::to_string(i), {{"reason", "判客"}}});
    }

    // What someone with the database file and sqlite3 could do, bypassing the kernel.
    void tamper(const std::string& sql) {
        store.reset();
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(dir.file("audit.db").c_str(), &db), SQLITE_OK);
        const std::string script = "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; " + sql;
        ASSERT_EQ(sqlite3_exec(db, script.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
        sqlite3_close(db);
        store = std::make_unique<Store>(Store::Options{dir.file("audit.db")});
        audit = std::make_unique<AuditLog>(*store);
    }
};

} // namespace

TEST_F(AuditLogTest, AnIntactChainVerifies) {
    auto result = audit->verify();
    EXPECT_TRUE(result["ok"]);
    EXPECT_EQ(result["entries"], 5);
}

TEST_F(AuditLogTest, SqlCannotUpdateOrDelete) {
    EXPECT_ANY_THROW(store->query("UPDATE audit_log SET actor_name = 'someone else' WHERE seq = 2"));
    EXPECT_ANY_THROW(store->query("DELETE FROM audit_log WHERE seq = 2"));
}

TEST_F(AuditLogTest, AChangedEntryIsNamed) {
    tamper("UPDATE audit_log SET detail = '{\"reason\":\"none\"}' WHERE seq = 3;");
    auto result = audit->verify();
    EXPECT_FALSE(result["ok"]);
    EXPECT_EQ(result["first_bad"], 3);
}

TEST_F(AuditLogTest, ADeletedEntryIsNamed) {
    tamper("DELETE FROM audit_log WHERE seq = 2;");
    auto result = audit->verify();
    EXPECT_FALSE(result["ok"]);
    EXPECT_EQ(result["first_bad"], 2);
}

TEST_F(AuditLogTest, RemovingTheNewestEntriesIsDetected) {
    tamper("DELETE FROM audit_log WHERE seq >= 4;");
    auto result = audit->verify();
    EXPECT_FALSE(result["ok"]);
    EXPECT_EQ(result["first_bad"], 4);
}

TEST_F(AuditLogTest, ARecomputedHashStillBreaksTheLink) {
    // Changing a row and recomputing its own hash is not enough: the next entry points at the
    // old hash.
    tamper("UPDATE audit_log SET hash = 'forged' WHERE seq = 2;");
    auto result = audit->verify();
    EXPECT_FALSE(result["ok"]);
    EXPECT_EQ(result["first_bad"], 2);
}

TEST_F(AuditLogTest, AnEntryRollsBackWithItsTransaction) {
    EXPECT_THROW(store->transaction([&] {
        audit->append({1, "admin", 0, "licence.change", "licence:x", {}});
        throw std::runtime_error("the change failed");
    }),
                 std::runtime_error);
    EXPECT_EQ(audit->verify()["entries"], 5);
}
