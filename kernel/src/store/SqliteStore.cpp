#include "store/SqliteStore.h"

#include "anchang/sdk/Error.hpp"

#include <Poco/Logger.h>

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

namespace anchang {

namespace {

/// The transaction this thread is in (its own, or one lent to it), if any. One store per
/// thread-transaction is enough: the kernel has one store.
struct ThreadTransaction {
    SqliteStore* store = nullptr;
    std::shared_ptr<SqliteStore::Open> open;
};
thread_local ThreadTransaction currentTransaction;

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view context) {
    std::string message = std::string(context) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    int primary = rc & 0xff;
    if (primary == SQLITE_CONSTRAINT) throw sdk::Error::conflict("store.conflict", message);
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) throw sdk::Error(503, "store.busy", message);
    throw sdk::Error(500, "store.failed", message);
}

void bind(sqlite3* db, sqlite3_stmt* stmt, int index, const nlohmann::json& value) {
    int rc = SQLITE_OK;
    switch (value.type()) {
    case nlohmann::json::value_t::null: rc = sqlite3_bind_null(stmt, index); break;
    case nlohmann::json::value_t::boolean: rc = sqlite3_bind_int(stmt, index, value.get<bool>() ? 1 : 0); break;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: rc = sqlite3_bind_int64(stmt, index, value.get<std::int64_t>()); break;
    case nlohmann::json::value_t::number_float: rc = sqlite3_bind_double(stmt, index, value.get<double>()); break;
    case nlohmann::json::value_t::string: {
        const auto& text = value.get_ref<const std::string&>();
        rc = sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
        break;
    }
    default: {
        // Objects and arrays are stored as their JSON text, the portable way to keep a document.
        const std::string text = value.dump();
        rc = sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    }
    }
    if (rc != SQLITE_OK) fail(db, rc, "bind parameter " + std::to_string(index));
}

nlohmann::json column(sqlite3_stmt* stmt, int i) {
    switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER: return sqlite3_column_int64(stmt, i);
    case SQLITE_FLOAT: return sqlite3_column_double(stmt, i);
    case SQLITE_TEXT:
        return std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt, i)));
    case SQLITE_BLOB: {
        const auto* bytes = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt, i));
        return nlohmann::json::binary_t(std::vector<std::uint8_t>(bytes, bytes + sqlite3_column_bytes(stmt, i)));
    }
    default: return nullptr;
    }
}

/// A statement used once: finalized after the call; a cached one: reset for its next call.
struct StatementGuard {
    sqlite3_stmt* stmt = nullptr;
    bool cached = false;
    ~StatementGuard() {
        if (!cached) {
            sqlite3_finalize(stmt);
        } else if (stmt) {
            sqlite3_reset(stmt);
            sqlite3_clear_bindings(stmt);
        }
    }
};

/// At most this many statements are kept per connection; beyond, they are prepared per call.
constexpr std::size_t kCachedStatements = 512;

std::string randomToken() {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    char text[33];
    std::snprintf(text, sizeof text, "%016llx%016llx", static_cast<unsigned long long>(random()),
                  static_cast<unsigned long long>(random()));
    return text;
}

/// A statement that writes, met outside a transaction (see SqliteStore::run).
struct WriteOutsideTransaction {};

/// A batch closes after this many writers even while others still wait.
constexpr int kBatchWriters = 64;

} // namespace

struct SqliteStore::Statements {
    std::unordered_map<std::string, sqlite3_stmt*> bySql;
    ~Statements() {
        for (auto& [sql, stmt] : bySql) sqlite3_finalize(stmt);
    }
};

struct SqliteStore::Open {
    sqlite3* db = nullptr;
    int depth = 0;
    /// Work for after the commit, each with the depth that registered it.
    std::vector<std::pair<int, std::function<void()>>> afterCommit;
    /// Held by whichever thread works in the transaction: its owner, or a service it lent it to.
    std::mutex use;
    /// The open loan's token while the owner waits on a call (guarded by `use`).
    std::string loan;

    /// The connection's prepared statements, for exec().
    SqliteStore::Statements* statements = nullptr;

    /// Runs `body` in savepoint depth+1; rolls the savepoint back (and forgets its after-commit
    /// work) when it throws.
    void nested(const std::function<void()>& body);
    /// A statement without parameters or rows (SAVEPOINT, RELEASE, ROLLBACK TO), prepared once
    /// per connection: sqlite3_exec parsed it anew each time, half a dozen times for each sale
    /// of the opening storm (a savepoint per confirmation, per durable event, per service call).
    int exec(const std::string& sql);
};

struct SqliteStore::Batch {
    std::shared_ptr<SqliteStore::Open> open;
    std::chrono::steady_clock::time_point started;
    int members = 0;
    bool done = false;
    std::string problem; ///< why the batch did not commit, if it did not
    std::condition_variable committed;
};

struct SqliteStore::Waiter {
    std::condition_variable wake;
    bool turn = false;
};

int SqliteStore::Open::exec(const std::string& sql) {
    if (!statements) return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    sqlite3_stmt* stmt = nullptr;
    bool cached = false;
    if (const auto known = statements->bySql.find(sql); known != statements->bySql.end()) {
        stmt = known->second;
        cached = true;
    } else if (const int rc = sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr); rc != SQLITE_OK) {
        return rc;
    } else if (statements->bySql.size() < kCachedStatements) {
        statements->bySql.emplace(sql, stmt);
        cached = true;
    }
    const int rc = sqlite3_step(stmt);
    if (cached) sqlite3_reset(stmt);
    else sqlite3_finalize(stmt);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

void SqliteStore::Open::nested(const std::function<void()>& body) {
    const std::string name = "sp" + std::to_string(depth + 1);
    if (int rc = exec("SAVEPOINT " + name); rc != SQLITE_OK) fail(db, rc, "savepoint");
    ++depth;
    try {
        body();
    } catch (...) {
        --depth;
        exec("ROLLBACK TO " + name);
        exec("RELEASE " + name);
        std::erase_if(afterCommit, [&](const auto& work) { return work.first > depth; });
        throw;
    }
    --depth;
    if (int rc = exec("RELEASE " + name); rc != SQLITE_OK) fail(db, rc, "release savepoint");
}

namespace {

/// A service's part of a lent transaction (TransactionJoiner): the loan's connection for this
/// thread, inside a savepoint that stays when kept and rolls back otherwise.
class Borrowed : public TransactionJoiner::Joined {
public:
    /// `lock` holds the transaction's `use` already.
    Borrowed(SqliteStore* store, std::shared_ptr<SqliteStore::Open> open, std::unique_lock<std::mutex> lock)
        : open_(std::move(open)), lock_(std::move(lock)) {
        previous_ = std::exchange(currentTransaction, ThreadTransaction{store, open_});
        const std::string name = "sp" + std::to_string(open_->depth + 1);
        if (int rc = open_->exec("SAVEPOINT " + name); rc != SQLITE_OK) fail(open_->db, rc, "savepoint");
        ++open_->depth;
    }
    ~Borrowed() override {
        const std::string name = "sp" + std::to_string(open_->depth);
        --open_->depth;
        if (!kept_) {
            open_->exec("ROLLBACK TO " + name);
            std::erase_if(open_->afterCommit, [&](const auto& work) { return work.first > open_->depth; });
        }
        open_->exec("RELEASE " + name);
        currentTransaction = std::move(previous_);
    }
    void keep() override { kept_ = true; }

private:
    std::shared_ptr<SqliteStore::Open> open_;
    std::unique_lock<std::mutex> lock_;
    ThreadTransaction previous_;
    bool kept_ = false;
};

} // namespace

SqliteStore::SqliteStore(Options options) : options_(std::move(options)) {
    std::filesystem::path file(options_.path);
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
    // Opening the first connection up front turns a bad path or a corrupt file into a start-up
    // error rather than a failure of the first request.
    sqlite3* first = acquire();
    // The query planner's statistics, from samples (analysis_limit): without them SQLite picks
    // indexes by shape alone, and a dashboard over a million rows chose a full index scan over
    // a range — 1.3 s instead of 0.2 s (docs/perf.md). Sampled, it takes milliseconds.
    sqlite3_exec(first, "ANALYZE", nullptr, nullptr, nullptr);
    release(first);
}

SqliteStore::~SqliteStore() {
    std::lock_guard lock(poolMutex_);
    statements_.clear(); // finalized before their connections close
    for (sqlite3* db : all_) sqlite3_close_v2(db);
}

SqliteStore::Statements& SqliteStore::statementsOf(sqlite3* db) {
    std::lock_guard lock(poolMutex_);
    auto& cache = statements_[db];
    if (!cache) cache = std::make_unique<Statements>();
    return *cache;
}

sqlite3* SqliteStore::open() {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(options_.path.c_str(), &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        sqlite3_close_v2(db);
        throw sdk::Error(500, "store.failed", "cannot open " + options_.path + ": " + message);
    }
    sqlite3_busy_timeout(db, options_.busyTimeoutMs);
    sqlite3_extended_result_codes(db, 1);
    // temp_store=MEMORY: a savepoint's statement journal and a sort's temporary tables stay in
    // memory. In files (the default) every page a savepoint touched was first written to a file
    // in /var/tmp: 50,000 writes of 4 KiB during the opening storm's 1,920 selections.
    const std::string pragmas = "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA analysis_limit=1000; "
                                "PRAGMA synchronous=" +
                                options_.synchronous + ";";
    char* error = nullptr;
    rc = sqlite3_exec(db, pragmas.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        std::string message = error ? error : "unknown";
        sqlite3_free(error);
        sqlite3_close_v2(db);
        throw sdk::Error(500, "store.failed", "cannot configure " + options_.path + ": " + message);
    }
    return db;
}

sqlite3* SqliteStore::acquire() {
    {
        std::lock_guard lock(poolMutex_);
        if (!idle_.empty()) {
            sqlite3* db = idle_.back();
            idle_.pop_back();
            return db;
        }
    }
    sqlite3* db = open();
    std::lock_guard lock(poolMutex_);
    all_.push_back(db);
    return db;
}

void SqliteStore::release(sqlite3* db) {
    // Hourly per connection, SQLite's own upkeep of the statistics for the tables this
    // connection's queries used (PRAGMA optimize, sampled by analysis_limit).
    const auto now = std::chrono::steady_clock::now();
    bool upkeep = false;
    {
        std::lock_guard lock(poolMutex_);
        auto& last = optimizedAt_[db];
        if (last == std::chrono::steady_clock::time_point{}) last = now;
        else if (now - last > std::chrono::hours(1)) {
            last = now;
            upkeep = true;
        }
    }
    if (upkeep) sqlite3_exec(db, "PRAGMA optimize", nullptr, nullptr, nullptr);
    std::lock_guard lock(poolMutex_);
    idle_.push_back(db);
}

bool SqliteStore::inTransaction() const {
    return currentTransaction.store == this && currentTransaction.open;
}

void SqliteStore::afterCommit(std::function<void()> work) {
    if (!inTransaction()) return work();
    currentTransaction.open->afterCommit.emplace_back(currentTransaction.open->depth, std::move(work));
}

std::string SqliteStore::lend() {
    if (!inTransaction()) throw sdk::Error(500, "store.failed", "lend needs a transaction");
    const std::string token = randomToken();
    auto& open = currentTransaction.open;
    open->loan = token;
    {
        std::lock_guard lock(loansMutex_);
        loans_[token] = open;
    }
    // The caller waits for the call to return, so the service is alone in the transaction: the
    // owner's hold on `use` passes to it for the call.
    open->use.unlock();
    return token;
}

void SqliteStore::unlend(const std::string& token) {
    std::shared_ptr<Open> open;
    {
        std::lock_guard lock(loansMutex_);
        auto it = loans_.find(token);
        if (it == loans_.end()) return;
        open = std::move(it->second);
        loans_.erase(it);
    }
    open->use.lock(); // back to the owner, once any service still in it has left
    open->loan.clear();
}

std::unique_ptr<TransactionJoiner::Joined> SqliteStore::join(const std::string& token) {
    std::shared_ptr<Open> open;
    {
        std::lock_guard lock(loansMutex_);
        auto it = loans_.find(token);
        if (it == loans_.end()) return nullptr;
        open = it->second;
    }
    // The loan may end while this thread waited for the transaction: then it must not run.
    std::unique_lock use(open->use);
    if (open->loan != token) return nullptr;
    return std::make_unique<Borrowed>(this, std::move(open), std::move(use));
}

QueryResult SqliteStore::query(std::string_view sql, const nlohmann::json& params) {
    if (!params.is_array()) throw sdk::Error::invalid("store.invalid", "parameters must be a JSON array");
    if (inTransaction()) return run(currentTransaction.open->db, sql, params, true);
    sqlite3* db = acquire();
    try {
        QueryResult result = run(db, sql, params, false);
        release(db);
        return result;
    } catch (const WriteOutsideTransaction&) {
        release(db);
    } catch (...) {
        release(db);
        throw;
    }
    // A statement that writes: a transaction of its own, committed with the others of its batch.
    QueryResult result;
    transaction([&] { result = run(currentTransaction.open->db, sql, params, true); });
    return result;
}

QueryResult SqliteStore::run(sqlite3* db, std::string_view sql, const nlohmann::json& params, bool inWrite) {
    StatementGuard guard;
    Statements& cache = statementsOf(db);
    const std::string text(sql);
    if (const auto known = cache.bySql.find(text); known != cache.bySql.end()) {
        guard.stmt = known->second;
        guard.cached = true;
    } else {
        const char* tail = nullptr;
        const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &guard.stmt, &tail);
        if (rc != SQLITE_OK) {
            std::string message = std::string("prepare: ") + sqlite3_errmsg(db);
            throw sdk::Error::invalid("store.invalid", message);
        }
        if (!guard.stmt) throw sdk::Error::invalid("store.invalid", "empty statement");
        for (const char* p = tail; p && p < sql.data() + sql.size(); ++p)
            if (!std::isspace(static_cast<unsigned char>(*p)) && *p != ';')
                throw sdk::Error::invalid("store.invalid", "one statement per call");
        if (cache.bySql.size() < kCachedStatements) {
            cache.bySql.emplace(text, guard.stmt);
            guard.cached = true;
        }
    }
    int rc = SQLITE_OK;
    const int expected = sqlite3_bind_parameter_count(guard.stmt);
    if (expected != static_cast<int>(params.size()))
        throw sdk::Error::invalid("store.invalid", "statement takes " + std::to_string(expected) + " parameters, got " +
                                                       std::to_string(params.size()));
    for (int i = 0; i < expected; ++i) bind(db, guard.stmt, i + 1, params[static_cast<std::size_t>(i)]);

    if (!inWrite && !sqlite3_stmt_readonly(guard.stmt)) throw WriteOutsideTransaction{};

    QueryResult result;
    const int columns = sqlite3_column_count(guard.stmt);
    while ((rc = sqlite3_step(guard.stmt)) == SQLITE_ROW) {
        nlohmann::json row = nlohmann::json::object();
        for (int i = 0; i < columns; ++i) row[sqlite3_column_name(guard.stmt, i)] = column(guard.stmt, i);
        result.rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE) fail(db, rc, "step");
    result.changes = sqlite3_changes64(db);
    return result;
}

nlohmann::json SqliteStore::stats() const { return {{"transactions", transactions_.load()}, {"commits", commits_.load()}}; }

int SqliteStore::waitingWriters() {
    std::lock_guard group(groupMutex_);
    return static_cast<int>(line_.size());
}

void SqliteStore::takeTurn(std::unique_lock<std::mutex>& group) {
    if (!turnTaken_ && line_.empty()) {
        turnTaken_ = true;
        return;
    }
    Waiter me;
    line_.push_back(&me);
    me.wake.wait(group, [&] { return me.turn; }); // passTurn() took it out of the line
}

void SqliteStore::passTurn() {
    // Called with groupMutex_ held.
    if (line_.empty()) {
        turnTaken_ = false;
        return;
    }
    Waiter* next = line_.front();
    line_.pop_front();
    next->turn = true; // turnTaken_ stays true: the turn goes straight to it
    next->wake.notify_one();
}

void SqliteStore::transaction(const std::function<void()>& body) {
    if (inTransaction()) return currentTransaction.open->nested(body);
    if (currentTransaction.open) throw sdk::Error(500, "store.failed", "a thread cannot hold transactions on two stores");

    // 1. Wait for the turn; the first writer of a batch begins it.
    std::unique_lock group(groupMutex_);
    takeTurn(group);
    if (!batch_) {
        auto fresh = std::make_shared<Batch>();
        fresh->open = std::make_shared<Open>();
        group.unlock();
        fresh->open->db = acquire();
        fresh->open->statements = &statementsOf(fresh->open->db);
        if (sqlite3_exec(fresh->open->db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
            const std::string message = sqlite3_errmsg(fresh->open->db);
            release(fresh->open->db);
            group.lock();
            passTurn();
            throw sdk::Error(503, "store.busy", "begin: " + message);
        }
        fresh->started = std::chrono::steady_clock::now();
        group.lock();
        batch_ = fresh;
    }
    const auto batch = batch_;
    ++batch->members;
    group.unlock();

    // 2. The body, in a savepoint of its own on the batch's connection.
    const auto& open = batch->open;
    auto exec = [&](const std::string& statement) { return open->exec(statement); };
    std::exception_ptr failure;
    std::vector<std::function<void()>> mine; // this writer's work for after the commit
    {
        std::unique_lock use(open->use);
        const std::size_t mark = open->afterCommit.size();
        if (int rc = exec("SAVEPOINT sp1"); rc != SQLITE_OK) {
            failure = std::make_exception_ptr(sdk::Error(500, "store.failed", std::string("savepoint: ") + sqlite3_errmsg(open->db)));
        } else {
            ++open->depth;
            currentTransaction = {this, open};
            try {
                body();
            } catch (...) {
                failure = std::current_exception();
            }
            currentTransaction = {};
            --open->depth;
            if (failure) exec("ROLLBACK TO sp1");
            exec("RELEASE sp1");
        }
        if (!failure)
            for (auto it = open->afterCommit.begin() + static_cast<std::ptrdiff_t>(mark); it != open->afterCommit.end(); ++it)
                mine.push_back(std::move(it->second));
        open->afterCommit.resize(mark);
    }
    // SQLite ends the whole transaction on some errors (a full disk): then nothing of the batch
    // holds, and it must close now rather than let the next writer run outside a transaction.
    const bool aborted = sqlite3_get_autocommit(open->db) != 0;

    // 3. The last writer in line commits the batch; the others wait until it is on disk. While
    // it commits, the turn stays taken: the next batch begins after this one is on disk.
    group.lock();
    const bool close = aborted || line_.empty() || batch->members >= kBatchWriters ||
                       std::chrono::steady_clock::now() - batch->started >= options_.batchAge;
    if (close) {
        batch_.reset();
        group.unlock();
        std::string problem;
        if (aborted) {
            problem = "the batch was rolled back by the database: " + std::string(sqlite3_errmsg(open->db));
        } else if (exec("COMMIT") != SQLITE_OK) {
            problem = "commit: " + std::string(sqlite3_errmsg(open->db));
            exec("ROLLBACK");
        }
        release(open->db);
        commits_.fetch_add(1, std::memory_order_relaxed);
        group.lock();
        batch->done = true;
        batch->problem = problem;
        batch->committed.notify_all();
        passTurn();
    } else {
        passTurn();
        batch->committed.wait(group, [&] { return batch->done; });
    }
    const std::string problem = batch->problem;
    group.unlock();

    if (failure) std::rethrow_exception(failure);
    if (!problem.empty()) throw sdk::Error(500, "store.failed", problem);
    transactions_.fetch_add(1, std::memory_order_relaxed);
    for (auto& work : mine) {
        try {
            work();
        } catch (const std::exception& e) {
            Poco::Logger::get("store").error("work after a commit failed: %s", std::string(e.what()));
        }
    }
}

void SqliteStore::executeScript(std::string_view sql) {
    if (!inTransaction()) throw sdk::Error(500, "store.failed", "executeScript needs a transaction");
    char* error = nullptr;
    const std::string text(sql);
    int rc = sqlite3_exec(currentTransaction.open->db, text.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
        std::string message = error ? error : sqlite3_errstr(rc);
        sqlite3_free(error);
        throw sdk::Error(500, "store.failed", message);
    }
}

void SqliteStore::backup(const std::string& destination) {
    std::filesystem::path target(destination);
    if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
    const std::string partial = destination + ".partial";
    std::filesystem::remove(partial);
    sqlite3* out = nullptr;
    int rc = sqlite3_open(partial.c_str(), &out);
    if (rc != SQLITE_OK) {
        std::string message = out ? sqlite3_errmsg(out) : sqlite3_errstr(rc);
        sqlite3_close(out);
        throw sdk::Error(500, "store.failed", "backup: cannot create " + partial + ": " + message);
    }
    sqlite3* source = acquire();
    sqlite3_backup* step = sqlite3_backup_init(out, "main", source, "main");
    if (!step) {
        std::string message = sqlite3_errmsg(out);
        release(source);
        sqlite3_close(out);
        throw sdk::Error(500, "store.failed", "backup: " + message);
    }
    // Small steps let writers in between; a write during the copy makes SQLite restart it.
    do {
        rc = sqlite3_backup_step(step, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(5);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(step);
    release(source);
    int closeRc = sqlite3_close(out);
    if (rc != SQLITE_DONE || closeRc != SQLITE_OK) {
        std::filesystem::remove(partial);
        throw sdk::Error(500, "store.failed", std::string("backup: ") + sqlite3_errstr(rc));
    }
    // Rename last, so a crash mid-backup never leaves a truncated file under the final name.
    std::filesystem::rename(partial, destination);
}

} // namespace anchang
