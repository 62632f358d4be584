#include "audit/AuditLog.h"
#include "audit/AuditWitness.h"
#include "store/KernelMigrations.h"
#include "store/Migrator.h"
#include "store/SqliteStore.h"
#include "support/TempDir.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

using anchang::AuditLog;
using anchang::AuditSeal;
using anchang::AuditWitness;
using anchang::Store;

namespace {

const std::string kKey(32, 'k');

struct AuditLogTest : ::testing::Test {
    anchang::test::TempDir dir;
    std::unique_ptr<Store> store;
    std::unique_ptr<AuditLog> audit;

    void SetUp() override {
        store = std::make_unique<anchang::SqliteStore>(anchang::SqliteStore::Options{dir.file("audit.db")});
        anchang::Migrator(*store).apply("kernel", anchang::kernelMigrations());
        audit = std::make_unique<AuditLog>(*store, AuditSeal(kKey));
        for (int i = 1; i <= 5; ++i)
            audit->append({7, "manager", 1, "customer.owner.change", "customer:" + std::to_string(i), {{"reason", "判客"}}});
    }

    /// What the log says with the witness's pins, as the API reports it.
    nlohmann::json verifyWithWitness() {
        AuditWitness witness(*audit, {dir.path(), std::chrono::seconds(5), std::chrono::seconds(3600)});
        std::vector<std::string> problems;
        auto result = audit->verify(witness.pins(problems));
        if (result["ok"] == true && !problems.empty()) result = {{"ok", false}, {"problem", problems.front()}};
        return result;
    }

    /// Recomputes every entry's SHA-256 from `from` on and moves the head along: all that someone
    /// without the audit key can do to make an edit look consistent.
    void rechain(sqlite3* db, std::int64_t from) {
        sqlite3_stmt* select = nullptr;
        sqlite3_prepare_v2(db, "SELECT seq, at, actor_id, actor_name, project_id, action, target, detail FROM audit_log ORDER BY seq", -1,
                           &select, nullptr);
        std::string previous(64, '0');
        std::vector<std::pair<std::int64_t, std::string>> hashes;
        while (sqlite3_step(select) == SQLITE_ROW) {
            auto text = [&](int column) { return std::string(reinterpret_cast<const char*>(sqlite3_column_text(select, column))); };
            const std::int64_t seq = sqlite3_column_int64(select, 0);
            const std::string hash = AuditLog::digest(seq, sqlite3_column_int64(select, 1), sqlite3_column_int64(select, 2), text(3),
                                                      sqlite3_column_int64(select, 4), text(5), text(6), text(7), previous);
            if (seq >= from) hashes.emplace_back(seq, hash);
            previous = hash;
        }
        sqlite3_finalize(select);
        for (const auto& [seq, hash] : hashes) {
            const std::string update = "UPDATE audit_log SET hash = '" + hash + "' WHERE seq = " + std::to_string(seq) +
                                       "; UPDATE audit_log SET prev_hash = '" + hash + "' WHERE seq = " + std::to_string(seq + 1) + ";";
            sqlite3_exec(db, update.c_str(), nullptr, nullptr, nullptr);
        }
        const std::string head = "UPDATE audit_head SET hash = '" + previous + "';";
        sqlite3_exec(db, head.c_str(), nullptr, nullptr, nullptr);
    }

    // What someone with the database file and sqlite3 could do, bypassing the kernel.
    void tamper(const std::string& sql, std::int64_t rechainFrom = 0) {
        store.reset();
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(dir.file("audit.db").c_str(), &db), SQLITE_OK);
        const std::string script = "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; " + sql;
        ASSERT_EQ(sqlite3_exec(db, script.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
        if (rechainFrom) rechain(db, rechainFrom);
        sqlite3_close(db);
        store = std::make_unique<anchang::SqliteStore>(anchang::SqliteStore::Options{dir.file("audit.db")});
        audit = std::make_unique<AuditLog>(*store, AuditSeal(kKey));
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

// What someone with write access to the database file alone did, and got past verify before
// the seals and the witness: each is caught now.
TEST_F(AuditLogTest, CuttingTheNewestEntriesAndMovingTheHeadBackIsCaught) {
    tamper("DELETE FROM audit_log WHERE seq >= 4; "
           "UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3), seal = (SELECT seal FROM audit_log WHERE seq = 3);");
    auto result = audit->verify();
    EXPECT_FALSE(result["ok"]) << result.dump();
    EXPECT_EQ(result["first_bad"], 4);
}

TEST_F(AuditLogTest, AnEditWithItsHashRecomputedIsCaughtByItsSeal) {
    tamper("UPDATE audit_log SET detail = '{\"reason\":\"none\"}' WHERE seq = 3;", 3);
    auto result = audit->verify();
    EXPECT_FALSE(result["ok"]) << result.dump();
    EXPECT_EQ(result["first_bad"], 3);
    EXPECT_NE(result["problem"].get<std::string>().find("seal"), std::string::npos);
}

TEST_F(AuditLogTest, ARewrittenActorWithTheWholeChainRecomputedIsCaught) {
    tamper("UPDATE audit_log SET actor_name = 'admin', actor_id = 1 WHERE seq = 2;", 2);
    auto result = audit->verify();
    EXPECT_FALSE(result["ok"]) << result.dump();
    EXPECT_EQ(result["first_bad"], 2);
}

TEST_F(AuditLogTest, WipingTheLogAndItsHeadIsCaughtByTheWitness) {
    { AuditWitness(*audit, {dir.path(), std::chrono::seconds(5), std::chrono::seconds(3600)}).start(); }
    EXPECT_TRUE(verifyWithWitness()["ok"]);
    tamper("DELETE FROM audit_log; DELETE FROM audit_head;");
    auto result = verifyWithWitness();
    EXPECT_FALSE(result["ok"]) << result.dump();
    EXPECT_NE(result["problem"].get<std::string>().find("recorded entry 5"), std::string::npos) << result.dump();
}

TEST_F(AuditLogTest, SignedCheckpointsPinTheHistory) {
    AuditWitness witness(*audit, {dir.path(), std::chrono::seconds(5), std::chrono::seconds(3600)});
    const auto checkpoint = witness.checkpoint();
    EXPECT_EQ(checkpoint["seq"], 5);
    ASSERT_TRUE(witness.pinOf(checkpoint));
    auto forged = checkpoint;
    forged["seq"] = 4;
    EXPECT_FALSE(witness.pinOf(forged));
    const auto exported = witness.exportCheckpoints();
    EXPECT_EQ(exported["checkpoints"].size(), 1u);
    EXPECT_NE(exported["public_key"].get<std::string>().find("PUBLIC KEY"), std::string::npos);
    // A checkpoint line forged into the file is named, not silently skipped.
    std::ofstream(dir.path() / "audit-checkpoints.jsonl", std::ios::app) << forged.dump() << "\n";
    std::vector<std::string> problems;
    EXPECT_EQ(witness.pins(problems).size(), 1u);
    EXPECT_EQ(problems.size(), 1u);
}
