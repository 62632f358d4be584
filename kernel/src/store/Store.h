#pragma once
/// anchang::Store — the kernel's store, shared by every plugin: what the kernel and the plugins
/// may ask of a database, with no SQLite in it. SqliteStore is the one every deployment starts
/// with; a PostgreSQL store stands behind the same interface when one machine is outgrown
/// (docs/store.md: the SQL both must take, and how migrations are checked against PostgreSQL).
///
/// The promises every store keeps:
///  - query() runs one statement with `?` parameters from a JSON array; integers, reals, text
///    and null come back as JSON; objects and arrays are stored as their JSON text. A new row's
///    id comes back with `INSERT ... RETURNING id`.
///  - Errors are sdk::Error: 409 store.conflict for a constraint ("only one" rules are unique keys
///    or conditional updates, so they hold with many writers), 400 store.invalid for a malformed
///    call, 503 store.busy, 500 store.failed.
///  - transaction() is atomic and durable when it returns; a nested call is a savepoint that rolls
///    back alone when its body throws. afterCommit() work runs only once the outermost commits.
///  - A transaction can be lent to a service another module runs for it (TransactionJoiner).

#include "bus/TransactionJoiner.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

namespace anchang {

struct QueryResult {
    nlohmann::json rows = nlohmann::json::array();
    std::int64_t changes = 0;
};

class Store : public TransactionJoiner {
public:
    ~Store() override = default;

    virtual QueryResult query(std::string_view sql, const nlohmann::json& params) = 0;
    QueryResult query(std::string_view sql) { return query(sql, nlohmann::json::array()); }
    /// The parameters listed in place: query(sql, {id, name}). A braced list always means "these
    /// parameters", even with one element that is itself JSON.
    QueryResult query(std::string_view sql, std::initializer_list<nlohmann::json> params) {
        nlohmann::json array = nlohmann::json::array();
        for (const auto& p : params) array.push_back(p);
        return query(sql, array);
    }

    virtual void transaction(const std::function<void()>& body) = 0;
    /// True while this thread is inside transaction(), or in one lent to it.
    virtual bool inTransaction() const = 0;
    virtual void afterCommit(std::function<void()> work) = 0;
    /// Lends this thread's transaction to a service it is about to call (the token goes in the
    /// request's header); unlend() once the call returned, whatever it returned.
    virtual std::string lend() = 0;
    virtual void unlend(const std::string& token) = 0;

    /// Several statements at once (migrations), inside transaction().
    virtual void executeScript(std::string_view sql) = 0;
    /// A consistent copy of the whole store at `destination`, taken while writers go on.
    virtual void backup(const std::string& destination) = 0;
    /// {"transactions","commits"} since it opened.
    virtual nlohmann::json stats() const = 0;
    /// How many writers wait for their turn now (tests line writers up with it).
    virtual int waitingWriters() = 0;
    /// Where it lives (a file, a connection string without its password), for the console.
    virtual const std::string& path() const = 0;
};

} // namespace anchang
