#include "anchang/sdk/Error.hpp"
#include "store/Migrator.h"
#include "store/SqliteStore.h"
#include "support/Eventually.h"
#include "support/TempDir.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <fstream>
#include <thread>

using anchang::Migrator;
using anchang::SqliteStore;
using anchang::Store;
namespace sdk = anchang::sdk;

namespace {

struct StoreTest : ::testing::Test {
    anchang::test::TempDir dir;
    SqliteStore store{{dir.file("test.db")}};
    void SetUp() override {
        store.transaction([&] { store.executeScript("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n REAL, doc TEXT)"); });
    }
};

int statusOf(const std::function<void()>& body) {
    try {
        body();
    } catch (const sdk::Error& e) {
        return e.status();
    }
    return 0;
}

} // namespace

TEST_F(StoreTest, BindsEveryJsonTypeAndReadsItBack) {
    auto inserted = store.query("INSERT INTO t (name, n, doc) VALUES (?, ?, ?) RETURNING id",
                                {"王丽", 1.5, nlohmann::json{{"a", {1, 2}}}});
    ASSERT_EQ(inserted.rows.size(), 1u);
    auto row = store.query("SELECT * FROM t WHERE id = ?", {inserted.rows[0]["id"]}).rows.at(0);
    EXPECT_EQ(row["name"], "王丽");
    EXPECT_DOUBLE_EQ(row["n"].get<double>(), 1.5);
    EXPECT_EQ(nlohmann::json::parse(row["doc"].get<std::string>())["a"][1], 2);
    store.query("INSERT INTO t (name, n) VALUES (?, ?)", {nullptr, true});
    EXPECT_EQ(store.query("SELECT COUNT(*) AS c FROM t WHERE name IS NULL").rows[0]["c"], 1);
}

TEST_F(StoreTest, MalformedCallsAreInvalidNotCrashes) {
    EXPECT_EQ(statusOf([&] { store.query("SELEC nonsense"); }), 400);
    EXPECT_EQ(statusOf([&] { store.query("SELECT ?", nlohmann::json::array()); }), 400);
    EXPECT_EQ(statusOf([&] { store.query("SELECT 1", {1}); }), 400);
    EXPECT_EQ(statusOf([&] { store.query("SELECT 1; DROP TABLE t"); }), 400);
    EXPECT_EQ(statusOf([&] { store.query("SELECT 1", nlohmann::json::object()); }), 400);
    EXPECT_EQ(statusOf([&] { store.query("SELECT * FROM no_such_table"); }), 400);
    EXPECT_EQ(store.query("SELECT COUNT(*) AS c FROM t").rows[0]["c"], 0); // the table survived
}

TEST_F(StoreTest, ConstraintViolationIsAConflict) {
    store.query("INSERT INTO t (name) VALUES (?)", {"a"});
    EXPECT_EQ(statusOf([&] { store.query("INSERT INTO t (name) VALUES (?)", {"a"}); }), 409);
}

TEST_F(StoreTest, TransactionRollsBackOnExceptionAndNestedCallsJoin) {
    EXPECT_THROW(store.transaction([&] {
        store.query("INSERT INTO t (name) VALUES ('x')");
        store.transaction([&] { store.query("INSERT INTO t (name) VALUES ('y')"); });
        throw std::runtime_error("undo");
    }),
                 std::runtime_error);
    EXPECT_EQ(store.query("SELECT COUNT(*) AS c FROM t").rows[0]["c"], 0);
    store.transaction([&] { store.query("INSERT INTO t (name) VALUES ('z')"); });
    EXPECT_EQ(store.query("SELECT COUNT(*) AS c FROM t").rows[0]["c"], 1);
}

TEST_F(StoreTest, ConcurrentWritersNeverLoseAnIncrement) {
    store.query("INSERT INTO t (id, name, n) VALUES (1, 'counter', 0)");
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 50; ++i)
                store.transaction([&] {
                    double n = store.query("SELECT n FROM t WHERE id = 1").rows[0]["n"];
                    store.query("UPDATE t SET n = ? WHERE id = 1", {n + 1});
                });
        });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(store.query("SELECT n FROM t WHERE id = 1").rows[0]["n"].get<double>(), 200.0);
}

// Group commit: writers that line up while another holds the turn share its commit, and each
// keeps its own rollback.
TEST(GroupCommit, WritersInLineShareOneCommitAndAFailingOneRollsBackAlone) {
    anchang::test::TempDir dir;
    SqliteStore::Options options{dir.file("g.db")};
    options.batchAge = std::chrono::seconds(30); // the batch closes because the line is empty, not by age
    SqliteStore store(options);
    store.transaction([&] { store.executeScript("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"); });
    const auto before = store.stats();

    std::atomic<bool> holding{false};
    std::thread first([&] {
        store.transaction([&] {
            store.query("INSERT INTO t (name) VALUES ('first')");
            holding = true;
            // Keep the turn until three more writers wait in line behind it.
            EXPECT_TRUE(anchang::test::eventually([&] { return store.waitingWriters() == 3; }));
        });
    });
    ASSERT_TRUE(anchang::test::eventually([&] { return holding.load(); }));
    std::atomic<int> refused{0};
    std::vector<std::thread> line;
    for (const char* name : {"second", "third", "fourth"})
        line.emplace_back([&, name] {
            try {
                store.transaction([&] {
                    store.query("INSERT INTO t (name) VALUES (?)", {name});
                    if (std::string(name) == "third") throw sdk::Error::invalid("test.refused", "the third writer changes its mind");
                });
            } catch (const sdk::Error& e) {
                if (e.code() == "test.refused") ++refused;
            }
        });
    first.join();
    for (auto& t : line) t.join();

    EXPECT_EQ(refused.load(), 1);
    std::vector<std::string> names;
    for (const auto& row : store.query("SELECT name FROM t ORDER BY name").rows) names.push_back(row["name"]);
    EXPECT_EQ(names, (std::vector<std::string>{"first", "fourth", "second"}));
    const auto after = store.stats();
    EXPECT_EQ(after["transactions"].get<std::uint64_t>() - before["transactions"].get<std::uint64_t>(), 3u);
    EXPECT_EQ(after["commits"].get<std::uint64_t>() - before["commits"].get<std::uint64_t>(), 1u) << "four writers in line, one fsync";
}

// What a writer registered for after its commit runs once its batch is on disk, on its own
// thread; a writer that failed has none run, and a statement outside a transaction joins too.
TEST(GroupCommit, AfterCommitWorkFollowsItsOwnWriterOnly) {
    anchang::test::TempDir dir;
    SqliteStore store({dir.file("g.db")});
    store.transaction([&] { store.executeScript("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"); });
    std::atomic<int> announced{0};
    std::vector<std::thread> writers;
    for (int i = 0; i < 16; ++i)
        writers.emplace_back([&, i] {
            try {
                store.transaction([&] {
                    store.query("INSERT INTO t (name) VALUES (?)", {std::to_string(i % 8)}); // half collide
                    store.afterCommit([&] { ++announced; });
                });
            } catch (const sdk::Error& e) {
                EXPECT_EQ(e.status(), 409);
            }
        });
    for (auto& t : writers) t.join();
    EXPECT_EQ(announced.load(), 8);
    EXPECT_EQ(store.query("SELECT COUNT(*) AS n FROM t").rows[0]["n"], 8);
    EXPECT_EQ(store.query("INSERT INTO t (name) VALUES ('alone')").changes, 1);
    EXPECT_EQ(store.query("SELECT COUNT(*) AS n FROM t").rows[0]["n"], 9);
}

TEST_F(StoreTest, OnlineBackupIsAUsableCopy) {
    store.query("INSERT INTO t (name) VALUES ('kept')");
    store.backup(dir.file("copy.db"));
    SqliteStore copy({dir.file("copy.db")});
    EXPECT_EQ(copy.query("SELECT name FROM t").rows[0]["name"], "kept");
    EXPECT_FALSE(std::filesystem::exists(dir.file("copy.db.partial")));
}

TEST(Migrator, AppliesInOrderOnceAndRefusesEditedHistory) {
    anchang::test::TempDir dir;
    SqliteStore store({dir.file("m.db")});
    Migrator migrator(store);
    std::vector<Migrator::Migration> migrations = {
        {1, "001_a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);"},
        {2, "002_b.sql", "CREATE TABLE b (id INTEGER PRIMARY KEY, a BIGINT REFERENCES a (id));"},
    };
    EXPECT_EQ(migrator.apply("demo", migrations), 2);
    EXPECT_EQ(migrator.apply("demo", migrations), 0);
    migrations[0].sql += " -- edited";
    EXPECT_THROW(migrator.apply("demo", migrations), std::runtime_error);
}

TEST(Migrator, AFailingMigrationLeavesNothingBehind) {
    anchang::test::TempDir dir;
    SqliteStore store({dir.file("m.db")});
    Migrator migrator(store);
    std::vector<Migrator::Migration> migrations = {{1, "001_bad.sql", "CREATE TABLE half (id INTEGER); CREATE TABLE broken ("}};
    EXPECT_THROW(migrator.apply("demo", migrations), std::runtime_error);
    EXPECT_TRUE(store.query("SELECT name FROM sqlite_master WHERE name = 'half'").rows.empty());
    EXPECT_TRUE(store.query("SELECT * FROM schema_version").rows.empty());
}

TEST(Migrator, LoadsFilesByVersionAndRejectsBadNames) {
    anchang::test::TempDir dir;
    std::ofstream(dir.file("002_second.sql")) << "SELECT 2;";
    std::ofstream(dir.file("001_first.sql")) << "SELECT 1;";
    auto loaded = Migrator::loadDirectory(dir.path());
    ASSERT_EQ(loaded.size(), 2u);
    EXPECT_EQ(loaded[0].name, "001_first.sql");
    std::ofstream(dir.file("notes.txt")) << "x";
    EXPECT_THROW(Migrator::loadDirectory(dir.path()), std::runtime_error);
}
