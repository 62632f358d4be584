#include "anchang/sdk/testing/TestHost.hpp"

#include "anchang/sdk/Json.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace anchang::sdk::testing {

namespace {

std::string readFile(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Where a route's answer goes in request(): given during the handler, or later from another
/// thread (http_later), for which request() waits.
struct RouteAnswer {
    std::mutex mutex;
    std::condition_variable given;
    bool answered = false;
    bool later = false;
    TestHost::Reply reply{500, nullptr};

    static void respond(void* ctx, int status, const char*, const char* text, std::size_t size) {
        auto* me = static_cast<RouteAnswer*>(ctx);
        const std::string content(text ? text : "", size);
        std::lock_guard lock(me->mutex);
        if (me->answered) return;
        me->reply.status = status < 200 || status > 599 ? 500 : status; // as the kernel does
        me->reply.body = nlohmann::json::parse(content, nullptr, false);
        if (me->reply.body.is_discarded()) me->reply.body = content;
        me->answered = true;
        me->given.notify_all();
    }
};

std::vector<std::string> split(const std::string& path) {
    std::vector<std::string> out;
    std::stringstream in(path);
    for (std::string part; std::getline(in, part, '/');)
        if (!part.empty()) out.push_back(part);
    return out;
}

void append(void* user, const char* data, std::size_t size) { static_cast<std::string*>(user)->append(data, size); }

/// An error as the SDK expects it from a failed bus call.
nlohmann::json failure(const Error& e) { return {{"code", e.code()}, {"message", e.what()}, {"status", e.status()}}; }

int statusOf(const Error& e) {
    return e.status() == 404 ? ANCHANG_E_NOT_FOUND : e.status() == 403 ? ANCHANG_E_DENIED : e.status() == 409 ? ANCHANG_E_CONFLICT
         : e.status() == 503 ? ANCHANG_E_UNAVAILABLE : e.status() < 500 ? ANCHANG_E_INVALID : ANCHANG_E_INTERNAL;
}

} // namespace

TestHost::TestHost(Options options) : options_(std::move(options)), now_(options_.now) {
    if (!options_.manifest.empty()) manifest_ = Json::parse(readFile(options_.manifest));
    if (sqlite3_open(":memory:", &db_) != SQLITE_OK) throw std::runtime_error("cannot open an in-memory database");
    sqlite3_exec(db_, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr);

    table_.size = sizeof table_;
    table_.abi_minor = ANCHANG_ABI_MINOR;
    table_.ctx = this;
    table_.log = [](void* ctx, int, const char* message) { self(ctx).log_.emplace_back(message); };
    table_.config = [](void* ctx, anchang_sink_fn out, void* user) {
        auto& me = self(ctx);
        nlohmann::json config = me.manifest_.value("config", nlohmann::json::object());
        config.merge_patch(me.options_.config);
        sink(out, user, config.dump());
        return int{ANCHANG_OK};
    };
    table_.http_route = [](void* ctx, const char* method, const char* pattern, const char*, anchang_route_fn fn, void* user) {
        self(ctx).addRoute(method, pattern, fn, user);
        return int{ANCHANG_OK};
    };
    table_.http_route_named = [](void* ctx, const char* name, anchang_route_fn fn, void* user) {
        auto& me = self(ctx);
        for (const auto& r : me.manifest_.value("routes", nlohmann::json::array()))
            if (r.value("name", std::string{}) == name) {
                me.addRoute(r["method"], r["path"], fn, user);
                return int{ANCHANG_OK};
            }
        return int{ANCHANG_E_NOT_FOUND};
    };
    table_.bus_publish = [](void* ctx, const char* topic, std::int64_t project, const char* body) {
        auto& me = self(ctx);
        // As in the kernel: an event from inside a transaction leaves when it commits.
        (me.depth_ > 0 ? me.pendingEvents_ : me.published_).push_back({topic, project, Json::parse(body)});
        return int{ANCHANG_OK};
    };
    table_.bus_subscribe = [](void* ctx, const char* prefix, anchang_event_fn fn, void* user) {
        self(ctx).subscribers_.emplace_back(prefix, Handler{reinterpret_cast<void*>(fn), user});
        return int{ANCHANG_OK};
    };
    table_.bus_serve = [](void* ctx, const char* service, anchang_service_fn fn, void* user) {
        self(ctx).services_[service] = {reinterpret_cast<void*>(fn), user};
        return int{ANCHANG_OK};
    };
    table_.bus_request = [](void* ctx, const char* service, std::int64_t project, const char* body, int, anchang_sink_fn out, void* user) {
        auto& me = self(ctx);
        const auto it = me.fakes_.find(service);
        if (it == me.fakes_.end()) {
            sink(out, user, nlohmann::json{{"code", "bus.unavailable"}, {"message", std::string("no fake for ") + service}}.dump());
            return int{ANCHANG_E_UNAVAILABLE};
        }
        try {
            sink(out, user, it->second(Json::parse(body), project).dump());
            return int{ANCHANG_OK};
        } catch (const Error& e) {
            sink(out, user, failure(e).dump());
            return statusOf(e);
        }
    };
    table_.db_query = [](void* ctx, const char* sql, const char* params, anchang_sink_fn out, void* user) {
        return self(ctx).query(sql, params, out, user);
    };
    table_.db_transaction = [](void* ctx, anchang_tx_fn fn, void* user) { return self(ctx).transaction(fn, user); };
    table_.audit_append = [](void* ctx, const char* entry) {
        auto& me = self(ctx);
        (me.depth_ > 0 ? me.pendingAudit_ : me.audit_).push_back(Json::parse(entry));
        return int{ANCHANG_OK};
    };
    table_.hook_call = [](void*, std::int64_t, const char*, const char*, anchang_sink_fn out, void* user) {
        // No scripts in a rule test: every hook point falls back to the built-in rule.
        sink(out, user, R"({"output":null,"vetoed":false,"fallback":true})");
        return int{ANCHANG_OK};
    };
    table_.form_validate = [](void*, std::int64_t, const char*, const char*, anchang_sink_fn out, void* user) {
        sink(out, user, R"({"ok":true,"values":{}})");
        return int{ANCHANG_OK};
    };
    table_.extend = [](void*, std::int64_t, const char*, const char*, anchang_sink_fn out, void* user) {
        sink(out, user, R"({"answers":[]})");
        return int{ANCHANG_OK};
    };
    table_.event_failed = [](void*) {};
    table_.crash_point = [](void*, const char*) {};
    table_.http_later = [](void*, void* respondCtx, anchang_http_respond_fn* later, void** laterCtx) {
        auto* answer = static_cast<RouteAnswer*>(respondCtx);
        if (!answer || !later || !laterCtx) return int{ANCHANG_E_INVALID};
        std::lock_guard lock(answer->mutex);
        if (answer->later || answer->answered) return int{ANCHANG_E_STATE};
        answer->later = true;
        *later = &RouteAnswer::respond;
        *laterCtx = answer;
        return int{ANCHANG_OK};
    };
    table_.now_ms = [](void* ctx) { return self(ctx).now_; };
    table_.project_get = [](void* ctx, std::int64_t id, anchang_sink_fn out, void* user) {
        auto& me = self(ctx);
        const auto it = me.projects_.find(id);
        sink(out, user,
             (it != me.projects_.end() ? it->second
                                       : nlohmann::json{{"id", id}, {"code", "p" + std::to_string(id)}, {"name", "项目" + std::to_string(id)},
                                                        {"archived", false}, {"utc_offset_minutes", 480}})
                 .dump());
        return int{ANCHANG_OK};
    };
    table_.job_handle = [](void* ctx, const char* name, anchang_job_fn fn, void* user) {
        self(ctx).jobs_[name] = {reinterpret_cast<void*>(fn), user};
        return int{ANCHANG_OK};
    };
    host_ = std::make_unique<Host>(&table_);
}

TestHost::~TestHost() {
    host_.reset();
    sqlite3_close(db_);
}

void TestHost::sql(const std::string& script) {
    char* error = nullptr;
    if (sqlite3_exec(db_, script.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        const std::string message = error ? error : "unknown error";
        sqlite3_free(error);
        throw std::runtime_error(message);
    }
}

void TestHost::migrate(const std::filesystem::path& folder) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder))
        if (entry.path().extension() == ".sql") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        try {
            sql(readFile(file));
        } catch (const std::exception& e) {
            throw std::runtime_error(file.filename().string() + ": " + e.what());
        }
    }
}

int TestHost::query(const char* sqlText, const char* paramsText, anchang_sink_fn out, void* user) {
    auto fail = [&](int status, const std::string& code, const std::string& message) {
        sink(out, user, nlohmann::json{{"code", code}, {"message", message}}.dump());
        return status;
    };
    const auto params = Json::parse(paramsText);
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    if (sqlite3_prepare_v2(db_, sqlText, -1, &stmt, &tail) != SQLITE_OK)
        return fail(ANCHANG_E_INVALID, "store.invalid", sqlite3_errmsg(db_));
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> guard(stmt, &sqlite3_finalize);
    if (tail && std::string(tail).find_first_not_of(" \t\r\n;") != std::string::npos)
        return fail(ANCHANG_E_INVALID, "store.invalid", "one statement at a time");
    if (!params.is_array() || static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt))
        return fail(ANCHANG_E_INVALID, "store.invalid", "the parameters do not match the statement's ? places");
    for (int i = 0; i < static_cast<int>(params.size()); ++i) {
        const auto& p = params[static_cast<std::size_t>(i)];
        if (p.is_null()) sqlite3_bind_null(stmt, i + 1);
        else if (p.is_boolean()) sqlite3_bind_int64(stmt, i + 1, p.get<bool>() ? 1 : 0);
        else if (p.is_number_integer()) sqlite3_bind_int64(stmt, i + 1, p.get<std::int64_t>());
        else if (p.is_number()) sqlite3_bind_double(stmt, i + 1, p.get<double>());
        else {
            const std::string text = p.is_string() ? p.get<std::string>() : p.dump();
            sqlite3_bind_text(stmt, i + 1, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
        }
    }
    nlohmann::json rows = nlohmann::json::array();
    for (;;) {
        const int rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) {
            const bool constraint = (sqlite3_extended_errcode(db_) & 0xFF) == SQLITE_CONSTRAINT;
            return fail(constraint ? ANCHANG_E_CONFLICT : ANCHANG_E_STORE, constraint ? "store.conflict" : "store.failed", sqlite3_errmsg(db_));
        }
        nlohmann::json row = nlohmann::json::object();
        for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
            const char* name = sqlite3_column_name(stmt, c);
            switch (sqlite3_column_type(stmt, c)) {
            case SQLITE_INTEGER: row[name] = sqlite3_column_int64(stmt, c); break;
            case SQLITE_FLOAT: row[name] = sqlite3_column_double(stmt, c); break;
            case SQLITE_NULL: row[name] = nullptr; break;
            default:
                row[name] = std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)), static_cast<std::size_t>(sqlite3_column_bytes(stmt, c)));
            }
        }
        rows.push_back(std::move(row));
    }
    sink(out, user, nlohmann::json{{"rows", std::move(rows)}, {"changes", sqlite3_changes(db_)}, {"last_id", 0}}.dump());
    return ANCHANG_OK;
}

int TestHost::transaction(anchang_tx_fn fn, void* user) {
    // The outermost is a transaction, a nested one a savepoint, as in the kernel's store.
    const std::string savepoint = "tx" + std::to_string(depth_);
    const std::size_t events = pendingEvents_.size();
    const std::size_t entries = pendingAudit_.size();
    sql(depth_ == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT " + savepoint);
    ++depth_;
    int rc = ANCHANG_E_INTERNAL;
    try {
        rc = fn(user);
    } catch (...) {
        rc = ANCHANG_E_INTERNAL;
    }
    --depth_;
    if (rc == ANCHANG_OK) {
        sql(depth_ == 0 ? "COMMIT" : "RELEASE " + savepoint);
        if (depth_ == 0) {
            published_.insert(published_.end(), pendingEvents_.begin(), pendingEvents_.end());
            audit_.insert(audit_.end(), pendingAudit_.begin(), pendingAudit_.end());
            pendingEvents_.clear();
            pendingAudit_.clear();
        }
    } else {
        sql(depth_ == 0 ? "ROLLBACK" : "ROLLBACK TO " + savepoint + "; RELEASE " + savepoint);
        pendingEvents_.resize(events);
        pendingAudit_.resize(entries);
    }
    return rc;
}

void TestHost::addRoute(const std::string& method, const std::string& pattern, anchang_route_fn fn, void* user) {
    routes_.push_back({method, split(pattern), fn, user});
}

void TestHost::fake(const std::string& service, Service answer) { fakes_[service] = std::move(answer); }

TestHost::Reply TestHost::call(const std::string& service, const nlohmann::json& body, std::int64_t project, const nlohmann::json& user) {
    const auto it = services_.find(service);
    if (it == services_.end()) return {ANCHANG_E_UNAVAILABLE, {{"code", "bus.unavailable"}, {"message", "the plugin does not offer " + service}}};
    nlohmann::json header = {{"project", project}, {"source", "test"}, {"ts", now_}};
    if (!user.is_null()) header["user"] = user;
    const std::string headerText = header.dump(), bodyText = body.dump();
    const anchang_bus_message message{sizeof(anchang_bus_message), service.c_str(), headerText.c_str(), bodyText.c_str()};
    std::string answer;
    const int status = reinterpret_cast<anchang_service_fn>(it->second.fn)(it->second.user, &message, &append, &answer);
    return {status, Json::parse(answer)};
}

void TestHost::deliver(const std::string& topic, const nlohmann::json& body, std::int64_t project) {
    const std::string headerText = nlohmann::json{{"project", project}, {"source", "test"}, {"ts", now_}, {"type", "event"}}.dump();
    const std::string bodyText = body.dump();
    const anchang_bus_message message{sizeof(anchang_bus_message), topic.c_str(), headerText.c_str(), bodyText.c_str()};
    for (const auto& [prefix, handler] : subscribers_)
        if (topic.rfind(prefix, 0) == 0) reinterpret_cast<anchang_event_fn>(handler.fn)(handler.user, &message);
}

TestHost::Reply TestHost::request(const std::string& method, const std::string& target, const nlohmann::json& body, const nlohmann::json& principal) {
    const auto question = target.find('?');
    const std::string path = target.substr(0, question);
    nlohmann::json query = nlohmann::json::object();
    if (question != std::string::npos) {
        std::stringstream in(target.substr(question + 1));
        for (std::string pair; std::getline(in, pair, '&');) {
            const auto eq = pair.find('=');
            query[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
        }
    }
    const auto segments = split(path);
    for (const auto& route : routes_) {
        if (route.method != method || route.segments.size() != segments.size()) continue;
        nlohmann::json params = nlohmann::json::object();
        bool match = true;
        for (std::size_t i = 0; i < segments.size() && match; ++i) {
            const auto& s = route.segments[i];
            if (s.size() > 2 && s.front() == '{' && s.back() == '}') params[s.substr(1, s.size() - 2)] = segments[i];
            else match = s == segments[i];
        }
        if (!match) continue;
        const std::string paramsText = params.dump(), queryText = query.dump(), principalText = principal.dump();
        const std::string bodyText = body.is_null() ? "" : body.is_string() ? body.get<std::string>() : body.dump();
        const std::string username = principal.is_object() ? principal.value("username", std::string{}) : std::string{};
        const anchang_http_request raw{sizeof(anchang_http_request), method.c_str(), path.c_str(), paramsText.c_str(), queryText.c_str(),
                                       bodyText.data(), bodyText.size(), principalText.c_str(), "test-request", "zh-CN", "{}",
                                       principal.is_object() ? principal.value("user_id", std::int64_t{0}) : 0,
                                       principal.is_object() ? username.c_str() : nullptr};
        auto owned = std::make_unique<RouteAnswer>();
        RouteAnswer& answer = *owned;
        const int rc = route.fn(route.user, &raw, &RouteAnswer::respond, &answer);
        std::unique_lock lock(answer.mutex);
        if (answer.later && !answer.given.wait_for(lock, std::chrono::seconds(30), [&] { return answer.answered; })) {
            lock.unlock();
            // The plugin may still answer into it: a failing test leaks it rather than have
            // that answer written into freed memory.
            (void)owned.release();
            throw std::runtime_error(method + " " + target + ": the answer promised for later never came");
        }
        if (rc != ANCHANG_OK) return {500, {{"error", {{"code", "internal"}}}}};
        return answer.reply;
    }
    return {404, {{"error", {{"code", "http.not_found"}}}}};
}

std::int64_t TestHost::runJob(const std::string& job, std::int64_t project) {
    const auto it = jobs_.find(job);
    if (it == jobs_.end()) throw std::runtime_error("the plugin handles no job " + job);
    const std::string run = nlohmann::json{{"job", job}, {"project_id", project}, {"scheduled_at", now_}, {"trigger", "manual"}}.dump();
    std::string answer;
    const int rc = reinterpret_cast<anchang_job_fn>(it->second.fn)(it->second.user, run.c_str(), &append, &answer);
    const auto parsed = Json::parse(answer);
    if (rc != ANCHANG_OK) throw std::runtime_error(job + " failed: " + parsed.dump());
    return parsed.value("items", std::int64_t{0});
}

} // namespace anchang::sdk::testing
