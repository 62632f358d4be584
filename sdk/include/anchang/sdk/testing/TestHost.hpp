#pragma once
/// anchang::sdk::testing::TestHost — a plugin's kernel, in the test's own process, for rule
/// tests that run in milliseconds (`plugins/<id>/tests`): the same host function table anchangd
/// hands a plugin, over
///  - an in-memory SQLite store with the plugin's migrations (transactions and savepoints as in
///    the kernel; a constraint is a 409 store.conflict),
///  - an in-process bus: the services the plugin calls are fakes the test gives, the events it
///    publishes are kept for the test to read (only once their transaction commits), and the
///    test delivers events to its subscribers and calls its services,
///  - a test clock the test sets and advances: protection periods and nightly jobs without sleeps,
///  - its routes (from plugin.json), its jobs, its audit entries and its log.
///
///     anchang::sdk::testing::TestHost test({.manifest = "plugins/core/plugin.json"});
///     test.migrate("plugins/core/migrations");
///     test.fake("kernel.users.get", [](const nlohmann::json&, std::int64_t) { return nlohmann::json{{"users", {}}}; });
///     CustomerBook book(test.host(), profile);
///     test.advance(31 * kDayMs);
///
/// One thread at a time: tests drive it from their own thread.

#include "anchang/abi.h"
#include "anchang/sdk/Host.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

struct sqlite3;

namespace anchang::sdk::testing {

class TestHost {
public:
    struct Options {
        /// The plugin's plugin.json: its named routes and its config defaults. Empty: none.
        std::filesystem::path manifest;
        /// Settings over the manifest's config defaults (what plugins.<id>.<key> would set).
        nlohmann::json config = nlohmann::json::object();
        /// The clock's start: 2026-03-08 10:00 Beijing time.
        std::int64_t now = 1772935200000;
    };
    /// A fake service: answers the body, or throws sdk::Error for a refusal.
    using Service = std::function<nlohmann::json(const nlohmann::json& body, std::int64_t project)>;
    struct Reply {
        int status = 0; ///< ANCHANG_OK or an anchang_status; for request(): the HTTP status
        nlohmann::json body;
    };
    struct Event {
        std::string topic;
        std::int64_t project;
        nlohmann::json body;
    };

    TestHost() : TestHost(Options{}) {}
    explicit TestHost(Options options);
    ~TestHost();
    TestHost(const TestHost&) = delete;
    TestHost& operator=(const TestHost&) = delete;

    /// The wrapper a plugin's classes take, over raw().
    Host& host() { return *host_; }
    const anchang_host* raw() const { return &table_; }

    /// Applies every *.sql of `folder` in name order, as the kernel's migrator does.
    void migrate(const std::filesystem::path& folder);
    /// Runs SQL directly (a test's own rows); throws std::runtime_error on failure.
    void sql(const std::string& script);

    std::int64_t now() const { return now_; }
    void setNow(std::int64_t ms) { now_ = ms; }
    void advance(std::int64_t ms) { now_ += ms; }

    /// Answers calls to `service` (a kernel service or another module's).
    void fake(const std::string& service, Service answer);
    /// Calls a service the plugin offers, as another module would (as `user`, when given).
    Reply call(const std::string& service, const nlohmann::json& body, std::int64_t project = 0, const nlohmann::json& user = nullptr);
    /// Delivers an event to the plugin's subscribers of its topic.
    void deliver(const std::string& topic, const nlohmann::json& body, std::int64_t project = 0);
    /// What the plugin published, committed.
    const std::vector<Event>& published() const { return published_; }
    /// Calls one of its routes: `principal` as the kernel passes it ({"user_id","username",
    /// "roles","permissions"}), null for a public route. The body of the answer, parsed as JSON
    /// when it is JSON.
    Reply request(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr,
                  const nlohmann::json& principal = nullptr);
    /// Runs a job it declared, for one project, now; its item count, or throws what it reported.
    std::int64_t runJob(const std::string& job, std::int64_t project);
    /// The record host.project(id) answers; by default {"id","code":"p<id>","name","archived":false,"utc_offset_minutes":480}.
    void project(std::int64_t id, const nlohmann::json& record) { projects_[id] = record; }
    /// Audit entries, committed.
    const std::vector<nlohmann::json>& audit() const { return audit_; }
    const std::vector<std::string>& log() const { return log_; }

private:
    struct Route {
        std::string method;
        std::vector<std::string> segments;
        anchang_route_fn fn;
        void* user;
    };
    struct Handler {
        void* fn;
        void* user;
    };

    static TestHost& self(void* ctx) { return *static_cast<TestHost*>(ctx); }
    static void sink(anchang_sink_fn fn, void* user, const std::string& text) { fn(user, text.data(), text.size()); }
    int query(const char* sql, const char* params, anchang_sink_fn out, void* user);
    int transaction(anchang_tx_fn fn, void* user);
    void addRoute(const std::string& method, const std::string& pattern, anchang_route_fn fn, void* user);

    Options options_;
    nlohmann::json manifest_ = nlohmann::json::object();
    anchang_host table_{};
    std::unique_ptr<Host> host_;
    sqlite3* db_ = nullptr;
    int depth_ = 0;
    std::int64_t now_;
    std::map<std::string, Service> fakes_;
    std::map<std::string, Handler> services_;
    std::vector<std::pair<std::string, Handler>> subscribers_;
    std::map<std::string, Handler> jobs_;
    std::vector<Route> routes_;
    std::map<std::int64_t, nlohmann::json> projects_;
    std::vector<Event> published_;
    std::vector<Event> pendingEvents_;
    std::vector<nlohmann::json> audit_;
    std::vector<nlohmann::json> pendingAudit_;
    std::vector<std::string> log_;
};

} // namespace anchang::sdk::testing
