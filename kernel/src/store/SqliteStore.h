#pragma once
/// anchang::SqliteStore — the kernel's SQLite store (the Store every deployment starts with).
///
/// WAL mode, so readers never wait for the writer. `synchronous=FULL` by default: a write that
/// returned has reached the disk, which is what "nothing acknowledged is lost" needs (NORMAL
/// survives a process crash but not a power cut).
///
/// Group commit. Each commit waits for the disk (a few thousand fsyncs a second), and opening
/// day sends thousands of writes in the same second. So writers take turns on one write
/// connection inside a shared transaction (a batch): each runs its body in a savepoint of its
/// own — a body that throws rolls back alone — and the last writer in line commits the batch
/// with one fsync for all. Every caller returns only after its batch is on disk. A batch closes
/// when nobody else is waiting for a turn, after 64 writers, or 10 ms after it began, which
/// bounds what the first writer waits for the others. A single statement that writes outside a
/// transaction is a transaction of its own and joins a batch the same way. Writes in the process
/// never meet SQLite's sleeping busy handler, which keeps write latency flat under load.
///
/// Each thread borrows a pooled connection per read; inside transaction() it works on the
/// batch's connection until its body ends. A nested transaction() is a savepoint: when it
/// throws, its own writes roll back and the outer transaction goes on.
///
/// A transaction can be lent to a service another module runs for it (TransactionJoiner), and
/// work can wait for the commit (afterCommit): one user action then commits once, however many
/// modules it crosses, and nothing is announced before it is stored.
///
/// SQL uses `?` placeholders and portable types; see docs/store.md for the PostgreSQL rules.

#include "store/Store.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct sqlite3;

namespace anchang {

class SqliteStore : public Store {
public:
    struct Options {
        std::string path;
        /// OFF, NORMAL or FULL; see the class comment.
        std::string synchronous = "FULL";
        int busyTimeoutMs = 10000;
        /// A batch closes this long after it began even while writers still wait (see above).
        std::chrono::milliseconds batchAge{10};
    };

    explicit SqliteStore(Options options);
    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    using Store::query;

    /// Runs one statement with `?` parameters from a JSON array. Throws sdk::Error:
    /// 409 store.conflict for constraint violations, 400 store.invalid for a malformed call
    /// (bad SQL, wrong parameter count, several statements), 500 store.failed otherwise.
    QueryResult query(std::string_view sql, const nlohmann::json& params) override;

    /// Runs `body` in a write transaction (BEGIN IMMEDIATE). Nested calls join the outer one;
    /// an exception rolls the outermost transaction back and propagates.
    void transaction(const std::function<void()>& body) override;

    /// Transactions committed and the commits (fsyncs) they took, since the store opened.
    nlohmann::json stats() const override;
    /// How many writers wait for their turn now (tests use it to line writers up).
    int waitingWriters() override;

    /// True while this thread is inside transaction(), or in one lent to it.
    bool inTransaction() const override;

    /// Runs `work` after the outermost transaction commits; never if it (or the savepoint that
    /// registered it) rolls back. Outside a transaction, runs it at once.
    void afterCommit(std::function<void()> work) override;

    /// Lends this thread's transaction to a service it is about to call: the token for the
    /// request's header. The caller must unlend() once the call returned, whatever it returned.
    std::string lend() override;
    /// Ends a loan, waiting for a service that still works in it (one that answered after the
    /// caller's deadline) to finish first.
    void unlend(const std::string& token) override;
    std::unique_ptr<Joined> join(const std::string& token) override;

    /// Runs several statements at once (migrations). Must be called inside transaction().
    void executeScript(std::string_view sql) override;

    /// Copies the live database to `destination` with SQLite's online backup, without
    /// stopping writers for longer than one step.
    void backup(const std::string& destination) override;

    const std::string& path() const override { return options_.path; }

private:
    sqlite3* open();
    sqlite3* acquire();
    void release(sqlite3* db);
    /// `inWrite`: the connection is a transaction's; otherwise a statement that writes throws
    /// WriteOutsideTransaction before it runs, and query() runs it as a transaction of its own.
    QueryResult run(sqlite3* db, std::string_view sql, const nlohmann::json& params, bool inWrite);

public:
    /// One open transaction: its connection, nesting, and the work waiting for its commit.
    /// Shared between the thread that began it and services it lends it to, one at a time.
    struct Open;

private:
    Options options_;
    std::mutex poolMutex_;
    /// When each connection last ran PRAGMA optimize (release() runs it hourly).
    std::map<sqlite3*, std::chrono::steady_clock::time_point> optimizedAt_;
    std::vector<sqlite3*> idle_;
    std::vector<sqlite3*> all_;
    /// Each connection's prepared statements by their SQL: a statement is parsed and planned
    /// once per connection, not on every call (parsing was 14% of the opening storm's CPU).
    /// A connection is used by one thread at a time; the map of maps is under poolMutex_.
    struct Statements;
    std::unordered_map<sqlite3*, std::unique_ptr<Statements>> statements_;
    Statements& statementsOf(sqlite3* db);
    std::mutex loansMutex_;
    std::map<std::string, std::shared_ptr<Open>> loans_;
    /// Group commit (see the class comment): the open batch, whose turn it is, who waits in line.
    /// Each writer in line has a condition of its own, so passing the turn wakes one thread, not
    /// all of them (with 256 writers, waking all cost more than the disk).
    struct Batch;
    struct Waiter;
    void takeTurn(std::unique_lock<std::mutex>& group);
    void passTurn();
    std::mutex groupMutex_;
    std::shared_ptr<Batch> batch_;
    std::deque<Waiter*> line_;
    bool turnTaken_ = false;
    std::atomic<std::uint64_t> transactions_{0};
    std::atomic<std::uint64_t> commits_{0};
};

} // namespace anchang
