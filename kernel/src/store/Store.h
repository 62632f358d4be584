#pragma once
/// anchang::Store — the kernel's SQLite store, shared by every plugin.
///
/// WAL mode, so readers never wait for the writer. Writes are serialized inside the process by
/// one mutex instead of SQLite's sleeping busy handler, which keeps write latency flat under
/// load. `synchronous=FULL` by default: a write that returned has reached the disk, which is
/// what "nothing acknowledged is lost" needs (NORMAL survives a process crash but not a power
/// cut). Each thread borrows a pooled connection per call; inside transaction() the thread keeps
/// one connection until the outermost transaction ends.
///
/// SQL uses `?` placeholders and portable types; see docs/store.md for the PostgreSQL rules.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace anchang {

struct QueryResult {
    nlohmann::json rows = nlohmann::json::array();
    std::int64_t changes = 0;
    std::int64_t lastId = 0;
};

class Store {
public:
    struct Options {
        std::string path;
        /// OFF, NORMAL or FULL; see the class comment.
        std::string synchronous = "FULL";
        int busyTimeoutMs = 10000;
    };

    explicit Store(Options options);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    /// Runs one statement with `?` parameters from a JSON array. Throws sdk::Error:
    /// 409 store.conflict for constraint violations, 400 store.invalid for a malformed call
    /// (bad SQL, wrong parameter count, several statements), 500 store.failed otherwise.
    QueryResult query(std::string_view sql, const nlohmann::json& params = nlohmann::json::array());
    /// The same with the parameters listed in place: query(sql, {id, name}). A braced list
    /// always means "these parameters", even with one element that is itself JSON.
    QueryResult query(std::string_view sql, std::initializer_list<nlohmann::json> params) {
        nlohmann::json array = nlohmann::json::array();
        for (const auto& p : params) array.push_back(p);
        return query(sql, array);
    }

    /// Runs `body` in a write transaction (BEGIN IMMEDIATE). Nested calls join the outer one;
    /// an exception rolls the outermost transaction back and propagates.
    void transaction(const std::function<void()>& body);

    /// True while this thread is inside transaction().
    bool inTransaction() const;

    /// Runs several statements at once (migrations). Must be called inside transaction().
    void executeScript(std::string_view sql);

    /// Copies the live database to `destination` with SQLite's online backup, without
    /// stopping writers for longer than one step.
    void backup(const std::string& destination);

    const std::string& path() const { return options_.path; }

private:
    sqlite3* open();
    sqlite3* acquire();
    void release(sqlite3* db);
    QueryResult run(sqlite3* db, std::string_view sql, const nlohmann::json& params, bool holdsWriteLock);

    Options options_;
    std::mutex poolMutex_;
    std::vector<sqlite3*> idle_;
    std::vector<sqlite3*> all_;
    /// Held by the one writer at a time; see the class comment.
    std::recursive_mutex writeMutex_;
};

} // namespace anchang
