#pragma once
/// anchang::sdk::Host — everything a plugin may ask of the kernel.
///
/// Wraps the C function table with std::function handlers. The Host outlives every handler it
/// registered, so handlers may capture `this` of the plugin. Routes, subscriptions and services
/// can only be added inside Plugin::start.

#include "anchang/abi.h"
#include "anchang/sdk/Json.hpp"
#include "anchang/sdk/BusMessage.hpp"
#include "anchang/sdk/BusReply.hpp"
#include "anchang/sdk/Db.hpp"
#include "anchang/sdk/Error.hpp"
#include "anchang/sdk/LaterResponse.hpp"
#include "anchang/sdk/Request.hpp"
#include "anchang/sdk/Response.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace anchang::sdk {

class Host {
public:
    using RouteHandler = std::function<Response(const Request&)>;
    /// Answers through `answer`, now or later: a handler that answers later moves it away.
    using LaterRouteHandler = std::function<void(const Request&, LaterResponse& answer)>;
    using EventHandler = std::function<void(const BusMessage&)>;
    using ServiceHandler = std::function<nlohmann::json(const BusMessage&)>;
    /// A scheduled job's run for one project: returns how many records it touched; throws to
    /// record the run as failed (with the message).
    struct JobRun {
        std::int64_t project;
        std::int64_t scheduledAt;
        std::string trigger; ///< schedule, catch_up or manual
    };
    using JobHandler = std::function<std::int64_t(const JobRun&)>;

    explicit Host(const anchang_host* raw) : raw_(raw), db_(raw) {}
    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;

    /// Serves the route plugin.json names `name` (its method, path and permission are written
    /// there, once). Handlers may throw sdk::Error; anything else answers 500.
    void route(const std::string& name, RouteHandler handler) {
        if (!ANCHANG_HAS_FIELD(raw_, anchang_host, http_route_named))
            throw std::runtime_error("route " + name + ": this kernel is too old for named routes (ABI 1.2)");
        auto& slot = routes_.emplace_back(std::make_unique<RouteSlot>(RouteSlot{std::move(handler), this}));
        check(raw_->http_route_named(raw_->ctx, name.c_str(), &onRoute, slot.get()), "route " + name);
    }

    /// Serves the route plugin.json names `name` with a handler that may answer after it
    /// returned, from any thread (LaterResponse). What it throws is answered as route() does.
    void routeLater(const std::string& name, LaterRouteHandler handler) {
        if (!ANCHANG_HAS_FIELD(raw_, anchang_host, http_later))
            throw std::runtime_error("route " + name + ": this kernel is too old for answers given later (ABI 1.6)");
        auto& slot = laterRoutes_.emplace_back(std::make_unique<LaterRouteSlot>(LaterRouteSlot{std::move(handler), this}));
        check(raw_->http_route_named(raw_->ctx, name.c_str(), &onLaterRoute, slot.get()), "route " + name);
    }

    /// Receives every event whose topic starts with `prefix`, in order, on the plugin's event
    /// thread. An exception is logged and the next event is delivered.
    void subscribe(const std::string& prefix, EventHandler handler) {
        auto& slot = events_.emplace_back(std::make_unique<EventSlot>(EventSlot{std::move(handler), this}));
        check(raw_->bus_subscribe(raw_->ctx, prefix.c_str(), &onEvent, slot.get()), "subscribe " + prefix);
    }

    /// Offers a service. The handler returns the reply body or throws sdk::Error.
    void serve(const std::string& service, ServiceHandler handler) {
        auto& slot = services_.emplace_back(std::make_unique<ServiceSlot>(ServiceSlot{std::move(handler), this}));
        check(raw_->bus_serve(raw_->ctx, service.c_str(), &onService, slot.get()), "serve " + service);
    }

    void publish(const std::string& topic, const nlohmann::json& body, std::int64_t project = 0) const {
        const std::string text = body.dump();
        raw_->bus_publish(raw_->ctx, topic.c_str(), project, text.c_str());
    }

    /// Calls a service and returns its answer, success or not. Never throws for bus failures.
    BusReply call(const std::string& service, const nlohmann::json& body, std::int64_t project = 0,
                  std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) const {
        std::string answer;
        const std::string text = body.dump();
        BusReply reply;
        reply.status = raw_->bus_request(raw_->ctx, service.c_str(), project, text.c_str(),
                                         static_cast<int>(timeout.count()), &append, &answer);
        reply.body = Json::parse(answer);
        return reply;
    }

    /// Calls a service and returns its reply body; throws the reply's error as sdk::Error.
    nlohmann::json request(const std::string& service, const nlohmann::json& body, std::int64_t project = 0,
                           std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) const {
        BusReply reply = call(service, body, project, timeout);
        if (!reply.ok()) throw reply.error();
        return std::move(reply.body);
    }

    /// The answer of a hook point's scripts; see docs/scripting.md.
    struct HookResult {
        nlohmann::json output;  ///< what the scripts decided, null when they had no opinion
        bool vetoed = false;    ///< a script refused; `message` says why, for the user
        std::string message;
        bool fallback = true;   ///< apply the built-in rule (no script, or a script failed)
        std::string error;      ///< why a script failed, for logs
    };

    /// Runs the project's scripts on a hook point this plugin declared. Never throws for a
    /// script's fault: a kernel without scripts, or a failing script, means fallback.
    HookResult hook(const std::string& point, std::int64_t project, const nlohmann::json& input) const {
        HookResult result;
        if (!ANCHANG_HAS_FIELD(raw_, anchang_host, hook_call)) return result;
        std::string answer;
        const std::string text = input.dump();
        if (raw_->hook_call(raw_->ctx, project, point.c_str(), text.c_str(), &append, &answer) != ANCHANG_OK) {
            result.error = answer;
            return result;
        }
        const auto parsed = Json::parse(answer);
        if (!parsed.is_object()) return result;
        result.output = parsed.value("output", nlohmann::json(nullptr));
        result.vetoed = parsed.value("vetoed", false);
        result.message = parsed.value("message", std::string{});
        result.fallback = parsed.value("fallback", true);
        result.error = parsed.value("error", std::string{});
        return result;
    }

    /// One contributor's answer to an extension point.
    struct Contribution {
        std::string plugin;
        nlohmann::json output;  ///< null when it failed
        std::string errorCode;  ///< why it failed: bus.timeout, a contract violation, its own error
        std::string errorMessage;
        bool ok() const { return errorCode.empty(); }
    };

    /// Asks the running contributors of an extension point this plugin declared, within the
    /// point's deadline. No contributor running is an empty answer, never an error. An input's
    /// "extensions" object is split by plugin id: each contributor gets only its own part, as
    /// "extension" (what that plugin's component on the page sent).
    std::vector<Contribution> extend(const std::string& point, std::int64_t project, const nlohmann::json& input) const {
        std::vector<Contribution> out;
        if (!ANCHANG_HAS_FIELD(raw_, anchang_host, extend)) return out;
        std::string answer;
        const std::string text = input.dump();
        const int rc = raw_->extend(raw_->ctx, project, point.c_str(), text.c_str(), &append, &answer);
        const auto parsed = Json::parse(answer);
        if (rc != ANCHANG_OK) throw BusReply{rc, parsed}.error();
        for (const auto& a : parsed.value("answers", nlohmann::json::array())) {
            const auto error = a.value("error", nlohmann::json::object());
            out.push_back({a.value("plugin", std::string{}), a.value("output", nlohmann::json(nullptr)),
                           error.is_object() ? error.value("code", std::string{}) : std::string{},
                           error.is_object() ? error.value("message", std::string{}) : std::string{}});
        }
        return out;
    }

    /// Validates values against a form this plugin declared plus the project's custom fields;
    /// returns {"ok",...} as anchang_host.form_validate describes.
    nlohmann::json validateForm(const std::string& form, std::int64_t project, const nlohmann::json& values) const {
        if (!ANCHANG_HAS_FIELD(raw_, anchang_host, form_validate)) return {{"ok", true}, {"values", nlohmann::json::object()}};
        std::string answer;
        const std::string text = values.dump();
        // The kernel answers a failure like a bus reply ({code, message} and a status), so the
        // same mapping gives an unknown form 404 and a refused one 403.
        if (const int rc = raw_->form_validate(raw_->ctx, project, form.c_str(), text.c_str(), &append, &answer); rc != ANCHANG_OK)
            throw BusReply{rc, Json::parse(answer)}.error();
        return Json::parse(answer);
    }

    const Db& db() const { return db_; }

    /// The kernel's clock in ms since the epoch. Read every "now" here: a test kernel moves it
    /// to check protection periods and nightly jobs without waiting.
    std::int64_t now() const {
        if (ANCHANG_HAS_FIELD(raw_, anchang_host, now_ms)) return raw_->now_ms(raw_->ctx);
        using namespace std::chrono;
        return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    }

    /// The project's record: {"id","code","name","archived","utc_offset_minutes"}; throws
    /// Error 404 for an unknown project.
    nlohmann::json project(std::int64_t id) const {
        if (!ANCHANG_HAS_FIELD(raw_, anchang_host, project_get))
            throw std::runtime_error("this kernel is too old for project records (ABI 1.3)");
        std::string answer;
        if (raw_->project_get(raw_->ctx, id, &append, &answer) != ANCHANG_OK)
            throw Error::notFound("project.not_found", "no such project: " + std::to_string(id));
        return Json::parse(answer);
    }

    /// Runs `handler` for the job plugin.json declares as `name`, for each project on its
    /// schedule. Only during start.
    void job(const std::string& name, JobHandler handler) {
        if (!ANCHANG_HAS_FIELD(raw_, anchang_host, job_handle))
            throw std::runtime_error("job " + name + ": this kernel is too old for scheduled jobs (ABI 1.3)");
        auto& slot = jobs_.emplace_back(std::make_unique<JobSlot>(JobSlot{std::move(handler), this}));
        check(raw_->job_handle(raw_->ctx, name.c_str(), &onJob, slot.get()), "job " + name);
    }

    /// A named point in the plugin's flow where fault-injection tests may end the process
    /// (the kernel's test-only setting test.crashAt); nothing happens otherwise.
    void crashPoint(const std::string& name) const {
        if (ANCHANG_HAS_FIELD(raw_, anchang_host, crash_point)) raw_->crash_point(raw_->ctx, name.c_str());
    }

    /// Tells GET /api/v1/modules that this plugin works only in part, and why (state
    /// "degraded"); "" says it works in full again. A kernel older than ABI 1.5 ignores it.
    void degrade(const std::string& reason) const {
        if (ANCHANG_HAS_FIELD(raw_, anchang_host, degrade)) raw_->degrade(raw_->ctx, reason.c_str());
    }

    /// Appends to the audit log; inside a transaction it commits with it.
    void audit(const nlohmann::json& entry) const {
        const std::string text = entry.dump();
        int status = raw_->audit_append(raw_->ctx, text.c_str());
        if (status != ANCHANG_OK) throw Error(500, "audit.failed", "the audit log refused an entry");
    }

    nlohmann::json config() const {
        std::string answer;
        raw_->config(raw_->ctx, &append, &answer);
        return Json::parse(answer);
    }

    void log(int level, const std::string& message) const { raw_->log(raw_->ctx, level, message.c_str()); }
    void info(const std::string& message) const { log(ANCHANG_LOG_INFO, message); }
    void warning(const std::string& message) const { log(ANCHANG_LOG_WARNING, message); }
    void error(const std::string& message) const { log(ANCHANG_LOG_ERROR, message); }

    const anchang_host* raw() const { return raw_; }

private:
    struct RouteSlot { RouteHandler handler; Host* host; };
    struct LaterRouteSlot { LaterRouteHandler handler; Host* host; };
    struct EventSlot { EventHandler handler; Host* host; };
    struct ServiceSlot { ServiceHandler handler; Host* host; };
    struct JobSlot { JobHandler handler; Host* host; };

    static void append(void* user, const char* data, std::size_t size) {
        static_cast<std::string*>(user)->append(data, size);
    }

    void check(int status, const std::string& what) const {
        if (status != ANCHANG_OK) throw std::runtime_error("the kernel refused " + what + " (status " + std::to_string(status) + ")");
    }

    static int onRoute(void* user, const anchang_http_request* raw, anchang_http_respond_fn respond, void* respondCtx) {
        auto* slot = static_cast<RouteSlot*>(user);
        Response response;
        try {
            Request request(*raw);
            response = slot->handler(request);
        } catch (const Error& e) {
            if (e.status() >= 500)
                slot->host->error(std::string(raw->method) + " " + raw->path + " [" + raw->request_id + "] " + e.code() + ": " + e.what());
            response = Response::error(e, raw->request_id);
        } catch (const std::exception& e) {
            slot->host->error(std::string(raw->method) + " " + raw->path + " [" + raw->request_id + "] " + e.what());
            return ANCHANG_E_INTERNAL;
        } catch (...) {
            return ANCHANG_E_INTERNAL;
        }
        respond(respondCtx, response.status, response.contentType.c_str(), response.body.data(), response.body.size());
        return ANCHANG_OK;
    }

    /// Every answer goes through the one promised for later: the kernel sends one given before
    /// the handler returned as it sends any other.
    static int onLaterRoute(void* user, const anchang_http_request* raw, anchang_http_respond_fn, void* respondCtx) {
        auto* slot = static_cast<LaterRouteSlot*>(user);
        const anchang_host* host = slot->host->raw_;
        anchang_http_respond_fn laterRespond = nullptr;
        void* laterCtx = nullptr;
        if (host->http_later(host->ctx, respondCtx, &laterRespond, &laterCtx) != ANCHANG_OK) return ANCHANG_E_INTERNAL;
        LaterResponse answer(host, laterRespond, laterCtx, raw->request_id);
        try {
            Request request(*raw);
            slot->handler(request, answer);
        } catch (const Error& e) {
            answer.fail(e); // a 5xx is logged there
        } catch (const std::exception& e) {
            slot->host->error(std::string(raw->method) + " " + raw->path + " [" + raw->request_id + "] " + e.what());
            answer.send(Response::error(Error(500, "internal", e.what()), raw->request_id));
        } catch (...) {
            answer.send(Response::error(Error(500, "internal", "unknown exception"), raw->request_id));
        }
        // Still here unanswered, `answer` answers 500 as it goes: the handler neither answered
        // nor kept it.
        return ANCHANG_OK;
    }

    static void onEvent(void* user, const anchang_bus_message* raw) {
        auto* slot = static_cast<EventSlot*>(user);
        try {
            slot->handler(BusMessage(*raw));
            return;
        } catch (const std::exception& e) {
            slot->host->error(std::string("event ") + raw->topic + ": " + e.what());
        } catch (...) {
            slot->host->error(std::string("event ") + raw->topic + ": unknown exception");
        }
        // For a durable event, what the handler wrote rolls back with it.
        const anchang_host* host = slot->host->raw_;
        if (ANCHANG_HAS_FIELD(host, anchang_host, event_failed)) host->event_failed(host->ctx);
    }

    static int onService(void* user, const anchang_bus_message* raw, anchang_sink_fn reply, void* replyUser) {
        auto* slot = static_cast<ServiceSlot*>(user);
        auto fail = [&](int status, int httpStatus, const std::string& code, const std::string& message) {
            const std::string text = nlohmann::json{{"code", code}, {"message", message}, {"status", httpStatus}}.dump();
            reply(replyUser, text.data(), text.size());
            return status;
        };
        try {
            const std::string text = slot->handler(BusMessage(*raw)).dump();
            reply(replyUser, text.data(), text.size());
            return ANCHANG_OK;
        } catch (const Error& e) {
            int status = e.status() == 404 ? ANCHANG_E_NOT_FOUND
                       : e.status() == 403 ? ANCHANG_E_DENIED
                       : e.status() == 409 ? ANCHANG_E_CONFLICT
                       : e.status() == 503 ? ANCHANG_E_UNAVAILABLE
                       : e.status() < 500  ? ANCHANG_E_INVALID
                                           : ANCHANG_E_INTERNAL;
            return fail(status, e.status(), e.code(), e.what());
        } catch (const std::exception& e) {
            slot->host->error(std::string("service ") + raw->topic + ": " + e.what());
            return fail(ANCHANG_E_INTERNAL, 500, "internal", "the service failed");
        } catch (...) {
            return fail(ANCHANG_E_INTERNAL, 500, "internal", "the service failed");
        }
    }

    static int onJob(void* user, const char* runJson, anchang_sink_fn sink, void* sinkUser) {
        auto* slot = static_cast<JobSlot*>(user);
        auto answer = [&](const nlohmann::json& body, int status) {
            const std::string text = body.dump();
            sink(sinkUser, text.data(), text.size());
            return status;
        };
        try {
            const auto run = Json::parse(runJson);
            const std::int64_t items = slot->handler(
                {run.at("project_id").get<std::int64_t>(), run.at("scheduled_at").get<std::int64_t>(), run.at("trigger").get<std::string>()});
            return answer({{"items", items}}, ANCHANG_OK);
        } catch (const Error& e) {
            return answer({{"code", e.code()}, {"message", e.what()}}, ANCHANG_E_INTERNAL);
        } catch (const std::exception& e) {
            return answer({{"code", "job.failed"}, {"message", e.what()}}, ANCHANG_E_INTERNAL);
        } catch (...) {
            return answer({{"code", "job.failed"}, {"message", "unknown exception"}}, ANCHANG_E_INTERNAL);
        }
    }

    const anchang_host* raw_;
    Db db_;
    std::vector<std::unique_ptr<RouteSlot>> routes_;
    std::vector<std::unique_ptr<LaterRouteSlot>> laterRoutes_;
    std::vector<std::unique_ptr<EventSlot>> events_;
    std::vector<std::unique_ptr<ServiceSlot>> services_;
    std::vector<std::unique_ptr<JobSlot>> jobs_;
};

} // namespace anchang::sdk
