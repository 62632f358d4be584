#include "plugin/PluginContext.h"

#include "anchang/sdk/Error.hpp"
#include "anchang/sdk/Json.hpp"
#include "audit/AuditLog.h"
#include "auth/AccessPolicy.h"
#include "bus/ActingUser.h"
#include "bus/Bus.h"
#include "app/FaultPoints.h"
#include "bus/BusProtocol.h"
#include "plugin/BusContracts.h"
#include "plugin/DurableDelivery.h"
#include "plugin/EventFailure.h"
#include "plugin/Outbox.h"
#include "clock/KernelClock.h"
#include "project/ProjectDirectory.h"
#include "schedule/Scheduler.h"
#include "form/FormService.h"
#include "http/HttpExchange.h"
#include "http/JsonText.h"
#include "script/HookRunner.h"
#include "store/Store.h"

#include <Poco/Logger.h>
#include <Poco/String.h>

#include <map>
#include <string_view>
#include <utility>

namespace anchang {

namespace {

int statusOf(const sdk::Error& e) {
    switch (e.status()) {
    case 400: return ANCHANG_E_INVALID;
    case 404: return ANCHANG_E_NOT_FOUND;
    case 403: return ANCHANG_E_DENIED;
    case 409: return ANCHANG_E_CONFLICT;
    case 503: return ANCHANG_E_UNAVAILABLE;
    default: return ANCHANG_E_STORE;
    }
}

void sinkJson(anchang_sink_fn sink, void* user, const nlohmann::json& value) {
    const std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    sink(user, text.data(), text.size());
}

void sinkError(anchang_sink_fn sink, void* user, const std::string& code, const std::string& message) {
    if (sink) sinkJson(sink, user, {{"code", code}, {"message", message}});
}

/// What `read` returns from the store, or its refusal in the ABI's shape ({"code","message"}).
int sinkStoreAnswer(anchang_sink_fn sink, void* user, const std::function<nlohmann::json()>& read) {
    try {
        sinkJson(sink, user, read());
        return ANCHANG_OK;
    } catch (const sdk::Error& e) {
        sinkError(sink, user, e.code(), e.what());
        return statusOf(e);
    } catch (const std::exception& e) {
        sinkError(sink, user, "store.failed", e.what());
        return ANCHANG_E_STORE;
    }
}

/// The request whose handler runs on this thread, the only one http_later may be asked about.
struct CurrentExchange {
    static thread_local const HttpExchange* now;
    const HttpExchange* before;
    explicit CurrentExchange(const HttpExchange& exchange) : before(std::exchange(now, &exchange)) {}
    ~CurrentExchange() { now = before; }
    CurrentExchange(const CurrentExchange&) = delete;
    CurrentExchange& operator=(const CurrentExchange&) = delete;
};
thread_local const HttpExchange* CurrentExchange::now = nullptr;

std::string selectedHeaders(Poco::Net::HTTPServerRequest& request) {
    // Only what plugins have a use for; cookies and the Authorization header stay in the kernel.
    std::map<std::string, std::string> headers;
    for (const auto& [name, lower] : {std::pair{"Idempotency-Key", "idempotency-key"}, {"User-Agent", "user-agent"},
                                      {"Content-Type", "content-type"}, {"If-Match", "if-match"}})
        if (request.has(name)) headers[lower] = request.get(name);
    // X-Anchang-*: what a plugin's own clients send it, such as the signature of a request made
    // without a session (the channel's agency API).
    static constexpr std::string_view kOwn = "x-anchang-";
    for (const auto& [name, value] : request) {
        if (name.size() < kOwn.size() || name.size() > 64 || value.size() > 1024 ||
            Poco::icompare(name, 0, kOwn.size(), kOwn.data()) != 0)
            continue;
        std::string lower(name);
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        headers[lower] = value;
    }
    headers["x-client-address"] = request.clientAddress().host().toString();
    return JsonText::object(headers);
}

} // namespace

PluginContext::PluginContext(const PluginManifest& manifest, KernelServices services, nlohmann::json config)
    : manifest_(manifest), services_(services), config_(std::move(config)) {
    table_.size = sizeof(anchang_host);
    table_.abi_minor = ANCHANG_ABI_MINOR;
    table_.ctx = this;
    table_.log = &log;
    table_.config = &PluginContext::config;
    table_.http_route = &httpRoute;
    table_.bus_publish = &busPublish;
    table_.bus_subscribe = &busSubscribe;
    table_.bus_serve = &busServe;
    table_.bus_request = &busRequest;
    table_.db_query = &dbQuery;
    table_.db_transaction = &dbTransaction;
    table_.audit_append = &auditAppend;
    table_.hook_call = &hookCall;
    table_.form_validate = &formValidate;
    table_.http_route_named = &httpRouteNamed;
    table_.extend = &extend;
    table_.event_failed = &eventFailed;
    table_.crash_point = &crashPoint;
    table_.now_ms = &nowMs;
    table_.project_get = &projectGet;
    table_.job_handle = &jobHandle;
    table_.degrade = &degrade;
    table_.http_later = &httpLater;
    agent_ = services_.bus.agent(manifest_.id, manifest_.workers);
    durable_ = std::make_unique<DurableDelivery>(services_.outbox, services_.store, manifest_.id);
}

PluginContext::~PluginContext() { stop(); }

int PluginContext::refuse(int status, const std::string& why) {
    Poco::Logger::get("plugin." + manifest_.id).error(why);
    if (refusal_.empty()) refusal_ = why;
    return status;
}

void PluginContext::commit() {
    for (auto& route : stagedRoutes_) services_.router.add(std::move(route));
    stagedRoutes_.clear();
    for (const auto& staged : stagedJobs_) {
        const std::string plugin = manifest_.id;
        const std::string name = staged.job->name;
        services_.scheduler.add(plugin, *staged.job, [plugin, name, fn = staged.fn, user = staged.user](std::int64_t project, std::int64_t scheduledAt, const std::string& trigger) {
            const std::string run = nlohmann::json{{"job", name}, {"project_id", project}, {"scheduled_at", scheduledAt}, {"trigger", trigger}}.dump();
            std::string answer;
            const int rc = fn(user, run.c_str(), [](void* out, const char* data, size_t size) { static_cast<std::string*>(out)->append(data, size); }, &answer);
            const auto body = sdk::Json::parse(answer);
            if (rc != ANCHANG_OK) {
                const std::string message = body.is_object() && body.contains("message") && body["message"].is_string() ? body["message"].get<std::string>() : "the job failed";
                throw std::runtime_error(message);
            }
            return body.is_object() && body.contains("items") && body["items"].is_number_integer() ? body["items"].get<std::int64_t>() : std::int64_t{0};
        });
    }
    stagedJobs_.clear();
    agent_->start();
    durable_->start();
    phase_ = Phase::Running;
}

void PluginContext::stop() {
    phase_ = Phase::Stopped;
    if (durable_) durable_->stop();
    if (agent_) agent_->stop();
}

void PluginContext::log(void* ctx, int level, const char* message) {
    auto& logger = Poco::Logger::get("plugin." + self(ctx).manifest_.id);
    const std::string text = message ? message : "";
    switch (level) {
    case ANCHANG_LOG_DEBUG: logger.debug(text); break;
    case ANCHANG_LOG_WARNING: logger.warning(text); break;
    case ANCHANG_LOG_ERROR: logger.error(text); break;
    default: logger.information(text);
    }
}

int PluginContext::config(void* ctx, anchang_sink_fn sink, void* user) {
    sinkJson(sink, user, self(ctx).config_);
    return ANCHANG_OK;
}

int PluginContext::httpRoute(void* ctx, const char* method, const char* pattern, const char* permission,
                             anchang_route_fn fn, void* user) {
    auto& me = self(ctx);
    if (!method || !pattern || !permission || !fn) return me.refuse(ANCHANG_E_INVALID, "http_route: missing argument");
    for (const auto& route : me.manifest_.routes)
        if (route.method == method && route.path == pattern && route.permission == permission) return me.stage(route, fn, user);
    return me.refuse(ANCHANG_E_DENIED, std::string("route ") + method + " " + pattern + " (" + permission +
                                           ") is not declared in plugin.json");
}

int PluginContext::httpRouteNamed(void* ctx, const char* name, anchang_route_fn fn, void* user) {
    auto& me = self(ctx);
    if (!name || !fn) return me.refuse(ANCHANG_E_INVALID, "http_route_named: missing argument");
    const auto* route = me.manifest_.route(name);
    if (!route) return me.refuse(ANCHANG_E_DENIED, std::string("route ") + name + " is not declared in plugin.json");
    return me.stage(*route, fn, user);
}

int PluginContext::stage(const PluginManifest::Route& declared, anchang_route_fn fn, void* user) {
    if (phase_ != Phase::Starting) return refuse(ANCHANG_E_STATE, "routes can only be added during start");
    const std::string owner = manifest_.id;
    std::vector<std::string> ownPermissions;
    for (const auto& p : manifest_.permissions) ownPermissions.push_back(p.name);
    const AccessPolicy& policy = services_.policy;
    Router::Handler handler = [fn, user, owner, ownPermissions, &policy](HttpExchange& exchange) {
        const std::string paramsText = JsonText::object(exchange.params);
        const std::string queryText = JsonText::object(exchange.query);
        std::string principalText = "null";
        std::optional<ActingUser::User> acting;
        if (exchange.principal) {
            // Which of its own permissions the caller holds here, so a plugin asks the policy
            // (which admins can change) instead of testing roles.
            std::vector<std::string> held;
            for (const auto& permission : ownPermissions)
                if (policy.allows(*exchange.principal, permission, exchange.project)) held.push_back(permission);
            principalText = exchange.principal->toJson(exchange.project, held);
            acting = ActingUser::User{exchange.principal->userId, exchange.principal->username, exchange.principal->displayName};
        }
        const std::string headersText = selectedHeaders(exchange.request());
        anchang_http_request request{};
        request.size = sizeof request;
        request.method = exchange.method().c_str();
        request.path = exchange.path().c_str();
        request.params_json = paramsText.c_str();
        request.query_json = queryText.c_str();
        request.body = exchange.body.data();
        request.body_size = exchange.body.size();
        request.principal_json = principalText.c_str();
        request.request_id = exchange.requestId().c_str();
        request.lang = exchange.lang().c_str();
        request.headers_json = headersText.c_str();
        if (exchange.principal) {
            request.user_id = exchange.principal->userId;
            request.username = exchange.principal->username.c_str();
        }
        auto respond = [](void* respondCtx, int status, const char* contentType, const char* body, std::size_t size) {
            const auto answer = LaterAnswer::fromPlugin(status, contentType, body, size);
            static_cast<HttpExchange*>(respondCtx)->send(answer.status, answer.contentType, answer.body);
        };
        int rc = ANCHANG_E_INTERNAL;
        try {
            // Everything the plugin asks of other modules meanwhile is on this user's behalf.
            ActingUser::Scope scope(std::move(acting));
            CurrentExchange current(exchange);
            rc = fn(user, &request, respond, &exchange);
        } catch (...) {
            rc = ANCHANG_E_INTERNAL;
        }
        // A handler that failed is answered 500, whatever it promised for later.
        if (rc != ANCHANG_OK) exchange.dropLater();
        if (rc != ANCHANG_OK && !exchange.sent())
            throw sdk::Error(500, "internal", "plugin " + owner + " failed on " + exchange.method() + " " + exchange.path());
        exchange.settleLater();
    };
    stagedRoutes_.push_back({declared.method, RoutePattern(declared.path), declared.permission, owner, std::move(handler)});
    return ANCHANG_OK;
}

int PluginContext::httpLater(void* ctx, void* respondCtx, anchang_http_respond_fn* later, void** laterCtx) {
    auto& me = self(ctx);
    if (!respondCtx || !later || !laterCtx) return me.refuse(ANCHANG_E_INVALID, "http_later: missing argument");
    // Only the handler running on this thread, for its own request: any other context (one
    // kept from an earlier request) would be a pointer into freed memory.
    if (respondCtx != CurrentExchange::now) return me.refuse(ANCHANG_E_STATE, "http_later: not called by the handler of this request");
    auto& exchange = *static_cast<HttpExchange*>(respondCtx);
    try {
        *laterCtx = exchange.answerLater().get();
        *later = &LaterAnswer::respond;
        return ANCHANG_OK;
    } catch (const sdk::Error&) {
        return me.refuse(ANCHANG_E_STATE, "http_later: " + exchange.method() + " " + exchange.path() + " was answered already");
    } catch (...) {
        return ANCHANG_E_INTERNAL;
    }
}

int PluginContext::busPublish(void* ctx, const char* topic, int64_t project, const char* body) {
    auto& me = self(ctx);
    if (!topic || !body) return ANCHANG_E_INVALID;
    if (!me.manifest_.declaresPublish(topic))
        return me.refuse(ANCHANG_E_DENIED, std::string("topic ") + topic + " is not declared in plugin.json");
    const auto parsed = sdk::Json::parse(body);
    if (parsed.is_discarded()) return me.refuse(ANCHANG_E_INVALID, std::string("event ") + topic + ": body is not JSON");
    if (me.services_.contracts.checkEvent(me.manifest_, topic, parsed) && me.services_.contracts.strict()) return ANCHANG_E_INVALID;
    auto& store = me.services_.store;
    if (me.manifest_.publication(topic)->durable) {
        // Stored with the change it announces (in the caller's transaction, if any), delivered after.
        nlohmann::json header = BusProtocol::header("event", me.manifest_.id, project);
        if (const auto& acting = ActingUser::current()) header["user"] = ActingUser::toJson(*acting);
        try {
            me.services_.outbox.append(topic, project, std::move(header), body);
            return ANCHANG_OK;
        } catch (const std::exception& e) {
            Poco::Logger::get("plugin." + me.manifest_.id).error("durable event %s not stored: %s", std::string(topic), std::string(e.what()));
            return ANCHANG_E_STORE;
        }
    }
    // Nothing is announced before it is stored: inside a transaction the event waits for the
    // commit, and never goes out if the transaction rolls back.
    if (store.inTransaction()) {
        auto send = [client = &me.services_.bus.client(), topic = std::string(topic), source = me.manifest_.id, project,
                     text = std::string(body), acting = ActingUser::current()] {
            ActingUser::Scope scope(acting);
            client->publish(topic, source, project, text);
        };
        store.afterCommit(std::move(send));
        return ANCHANG_OK;
    }
    return me.services_.bus.client().publish(topic, me.manifest_.id, project, body) ? ANCHANG_OK : ANCHANG_E_UNAVAILABLE;
}

int PluginContext::busSubscribe(void* ctx, const char* prefix, anchang_event_fn fn, void* user) {
    auto& me = self(ctx);
    if (!prefix || !fn) return me.refuse(ANCHANG_E_INVALID, "bus_subscribe: missing argument");
    if (me.phase_ != Phase::Starting) return me.refuse(ANCHANG_E_STATE, "subscriptions can only be made during start");
    if (!me.manifest_.declaresSubscription(prefix))
        return me.refuse(ANCHANG_E_DENIED, std::string("subscription ") + prefix + " is not declared in plugin.json");
    me.agent_->subscribe(prefix, fn, user);
    me.durable_->subscribe({prefix, fn, user});
    return ANCHANG_OK;
}

int PluginContext::busServe(void* ctx, const char* service, anchang_service_fn fn, void* user) {
    auto& me = self(ctx);
    if (!service || !fn) return me.refuse(ANCHANG_E_INVALID, "bus_serve: missing argument");
    if (me.phase_ != Phase::Starting) return me.refuse(ANCHANG_E_STATE, "services can only be offered during start");
    if (!me.manifest_.declaresService(service))
        return me.refuse(ANCHANG_E_DENIED, std::string("service ") + service + " is not declared in plugin.json");
    me.agent_->serve(service, fn, user);
    return ANCHANG_OK;
}

int PluginContext::busRequest(void* ctx, const char* service, int64_t project, const char* body, int timeoutMs,
                              anchang_sink_fn sink, void* user) {
    auto& me = self(ctx);
    if (!service || !body || !sink) return ANCHANG_E_INVALID;
    const auto parsed = sdk::Json::parse(body);
    if (parsed.is_discarded()) {
        sinkError(sink, user, "bus.invalid_body", "the request body is not JSON");
        return ANCHANG_E_INVALID;
    }
    auto& contracts = me.services_.contracts;
    if (const auto broken = contracts.checkCall(me.manifest_, service, parsed); broken && contracts.strict()) {
        sinkError(sink, user, "bus.contract_violation", *broken);
        return ANCHANG_E_INVALID;
    }
    // Inside a transaction the service joins it (TransactionJoiner), so one action commits once;
    // only an in-process service can, and asking any other would leave the write half-done.
    auto& store = me.services_.store;
    nlohmann::json extra = nlohmann::json::object();
    std::string loan;
    if (store.inTransaction()) {
        if (!contracts.inProcess(service)) {
            const std::string why = "plugin " + me.manifest_.id + " asked " + service +
                                    " inside a store transaction; only an in-process module's service can join one";
            Poco::Logger::get("plugin." + me.manifest_.id).error(why);
            sinkError(sink, user, "bus.in_transaction", why);
            return ANCHANG_E_STATE;
        }
        loan = store.lend();
        extra["tx"] = loan;
    }
    auto reply = me.services_.bus.client().request(service, me.manifest_.id, project, body,
                                                   std::chrono::milliseconds(std::clamp(timeoutMs, 1, 60000)), extra);
    if (!loan.empty()) store.unlend(loan);
    if (reply.status == ANCHANG_OK)
        if (const auto broken = contracts.checkReply(service, sdk::Json::parse(reply.body)); broken && contracts.strict()) {
            sinkError(sink, user, "bus.contract_violation", *broken);
            return ANCHANG_E_INTERNAL;
        }
    sink(user, reply.body.data(), reply.body.size());
    return reply.status;
}

int PluginContext::dbQuery(void* ctx, const char* sql, const char* params, anchang_sink_fn sink, void* user) {
    auto& me = self(ctx);
    if (!sql || !sink) return ANCHANG_E_INVALID;
    nlohmann::json parsed = sdk::Json::parse(params ? params : "[]");
    if (parsed.is_discarded() || !parsed.is_array()) {
        sinkError(sink, user, "store.invalid", "parameters must be a JSON array");
        return ANCHANG_E_INVALID;
    }
    return sinkStoreAnswer(sink, user, [&] {
        QueryResult result = me.services_.store.query(sql, parsed);
        return nlohmann::json{{"rows", std::move(result.rows)}, {"changes", result.changes}, {"last_id", 0}};
    });
}

int PluginContext::dbTransaction(void* ctx, anchang_tx_fn fn, void* user) {
    auto& me = self(ctx);
    if (!fn) return ANCHANG_E_INVALID;
    struct Rollback {
        int status;
    };
    try {
        me.services_.store.transaction([&] {
            int rc = fn(user);
            if (rc != ANCHANG_OK) throw Rollback{rc};
        });
        return ANCHANG_OK;
    } catch (const Rollback& r) {
        return r.status;
    } catch (const sdk::Error& e) {
        return statusOf(e);
    } catch (...) {
        return ANCHANG_E_INTERNAL;
    }
}

int PluginContext::auditAppend(void* ctx, const char* entry) {
    auto& me = self(ctx);
    nlohmann::json parsed = sdk::Json::parse(entry ? entry : "");
    if (!parsed.is_object() || !parsed.contains("action") || !parsed["action"].is_string()) return ANCHANG_E_INVALID;
    AuditLog::Entry record;
    record.actorId = parsed.value("actor_id", std::int64_t{0});
    record.actorName = parsed.value("actor_name", std::string{});
    record.projectId = parsed.value("project_id", std::int64_t{0});
    record.action = parsed["action"];
    record.target = parsed.value("target", std::string{});
    record.detail = parsed.value("detail", nlohmann::json::object());
    record.detail["plugin"] = me.manifest_.id;
    try {
        me.services_.audit.append(record);
        return ANCHANG_OK;
    } catch (const sdk::Error& e) {
        return statusOf(e);
    } catch (...) {
        return ANCHANG_E_INTERNAL;
    }
}

int PluginContext::hookCall(void* ctx, int64_t project, const char* hook, const char* input, anchang_sink_fn sink, void* user) {
    auto& me = self(ctx);
    if (!hook || !input || !sink) return ANCHANG_E_INVALID;
    nlohmann::json parsed = sdk::Json::parse(input);
    if (parsed.is_discarded()) {
        sinkError(sink, user, "hook.invalid_input", "the hook input is not JSON");
        return ANCHANG_E_INVALID;
    }
    try {
        sinkJson(sink, user, me.services_.hooks.call(project, hook, parsed, me.manifest_.id));
        return ANCHANG_OK;
    } catch (const sdk::Error& e) {
        sinkError(sink, user, e.code(), e.what());
        return statusOf(e);
    } catch (const std::exception& e) {
        // The plugin falls back to its built-in rule; the kernel logs why.
        Poco::Logger::get("scripts").error("hook %s failed in the kernel: %s", std::string(hook), std::string(e.what()));
        sinkJson(sink, user, {{"output", nullptr}, {"vetoed", false}, {"fallback", true}, {"error", "internal"}});
        return ANCHANG_OK;
    }
}

int PluginContext::formValidate(void* ctx, int64_t project, const char* form, const char* values, anchang_sink_fn sink,
                                void* user) {
    auto& me = self(ctx);
    if (!form || !values || !sink) return ANCHANG_E_INVALID;
    nlohmann::json parsed = sdk::Json::parse(values);
    if (parsed.is_discarded()) {
        sinkError(sink, user, "form.invalid", "the values are not JSON");
        return ANCHANG_E_INVALID;
    }
    if (!std::string(form).starts_with(me.manifest_.id + ".")) {
        sinkError(sink, user, "form.not_found", std::string("plugin ") + me.manifest_.id + " declares no form " + form);
        return ANCHANG_E_DENIED;
    }
    try {
        sinkJson(sink, user, me.services_.forms.validate(project, form, parsed));
        return ANCHANG_OK;
    } catch (const sdk::Error& e) {
        sinkError(sink, user, e.code(), e.what());
        return statusOf(e);
    }
}

void PluginContext::eventFailed(void*) { EventFailure::raise(); }

void PluginContext::crashPoint(void*, const char* name) {
    if (name) FaultPoints::hit(name);
}

int64_t PluginContext::nowMs(void* ctx) { return self(ctx).services_.clock.nowMs(); }

void PluginContext::degrade(void* ctx, const char* reason) {
    auto& context = self(ctx);
    const std::string why = reason ? reason : "";
    std::lock_guard lock(context.degradedMutex_);
    if (why == context.degraded_) return;
    if (!why.empty()) Poco::Logger::get("plugin." + context.manifest_.id).warning("works in part: " + why);
    context.degraded_ = why;
}

int PluginContext::projectGet(void* ctx, int64_t project, anchang_sink_fn sink, void* user) {
    if (!sink) return ANCHANG_E_INVALID;
    return sinkStoreAnswer(sink, user, [&] { return self(ctx).services_.projects.get(project); });
}

int PluginContext::jobHandle(void* ctx, const char* name, anchang_job_fn fn, void* user) {
    auto& me = self(ctx);
    if (!name || !fn) return me.refuse(ANCHANG_E_INVALID, "job_handle: missing argument");
    if (me.phase_ != Phase::Starting) return me.refuse(ANCHANG_E_STATE, "jobs can only be handled during start");
    const auto* job = me.manifest_.job(name);
    if (!job) return me.refuse(ANCHANG_E_DENIED, std::string("job ") + name + " is not declared in plugin.json");
    me.stagedJobs_.push_back({job, fn, user});
    return ANCHANG_OK;
}

int PluginContext::extend(void* ctx, int64_t project, const char* pointName, const char* input, anchang_sink_fn sink, void* user) {
    auto& me = self(ctx);
    if (!pointName || !input || !sink) return ANCHANG_E_INVALID;
    const auto* point = me.manifest_.extensionPoint(pointName);
    if (!point) {
        sinkError(sink, user, "extension.unknown", std::string("plugin ") + me.manifest_.id + " declares no extension point " + pointName);
        return ANCHANG_E_DENIED;
    }
    const auto parsed = sdk::Json::parse(input);
    if (parsed.is_discarded()) {
        sinkError(sink, user, "extension.invalid_input", "the input is not JSON");
        return ANCHANG_E_INVALID;
    }
    auto& contracts = me.services_.contracts;
    if (const auto broken = contracts.checkExtensionInput(*point, parsed); broken && contracts.strict()) {
        sinkError(sink, user, "bus.contract_violation", *broken);
        return ANCHANG_E_INVALID;
    }
    // Every running contributor at once, each within the point's deadline; none running is
    // an empty answer, never an error.
    const auto contributors = contracts.contributors(pointName);
    // What a page's slot component sent for its own plugin travels under input.extensions.<id>;
    // each contributor receives only its own part, as input.extension — the desk's photo goes to
    // the plugin whose component took it, not to every contributor.
    std::vector<std::string> servicesAsked, bodies;
    for (const auto& c : contributors) {
        servicesAsked.push_back(c.service);
        nlohmann::json body = parsed;
        if (body.is_object() && body.contains("extensions")) {
            const auto& parts = body["extensions"];
            if (parts.is_object() && parts.contains(c.plugin)) body["extension"] = parts[c.plugin];
            body.erase("extensions");
        }
        bodies.push_back(body.dump());
    }
    // Inside a transaction the contributors join it, one after another.
    auto& store = me.services_.store;
    nlohmann::json extra = nlohmann::json::object();
    std::string loan;
    if (store.inTransaction() && !contributors.empty()) {
        loan = store.lend();
        extra["tx"] = loan;
    }
    const auto replies = me.services_.bus.client().requestAll(servicesAsked, me.manifest_.id, project, bodies,
                                                              std::chrono::milliseconds(point->deadlineMs), extra);
    if (!loan.empty()) store.unlend(loan);
    nlohmann::json answers = nlohmann::json::array();
    for (std::size_t i = 0; i < contributors.size(); ++i) {
        const auto body = sdk::Json::parse(replies[i].body);
        nlohmann::json answer = {{"plugin", contributors[i].plugin}};
        if (replies[i].status != ANCHANG_OK) {
            answer["error"] = {{"code", body.is_object() ? body.value("code", std::string("internal")) : std::string("internal")},
                               {"message", body.is_object() ? body.value("message", std::string{}) : std::string{}}};
        } else if (const auto broken = contracts.checkExtensionAnswer(*point, contributors[i].plugin, body)) {
            answer["error"] = {{"code", "bus.contract_violation"}, {"message", *broken}};
        } else {
            answer["output"] = body;
        }
        if (point->mode == PluginManifest::ExtensionPoint::Mode::First) {
            if (answer.contains("output")) {
                answers = nlohmann::json::array({answer});
                break;
            }
            continue;
        }
        answers.push_back(std::move(answer));
    }
    sinkJson(sink, user, {{"answers", answers}});
    return ANCHANG_OK;
}

} // namespace anchang
