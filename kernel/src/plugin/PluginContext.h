#pragma once
/// anchang::PluginContext — one plugin's side of the C boundary.
///
/// Owns the `anchang_host` table handed to the plugin and implements each entry against the
/// kernel, checking every call against the plugin's manifest: a route, topic or service the
/// manifest did not declare is refused. Registrations made during start are staged and only
/// become live when start succeeds, so a plugin that fails halfway leaves nothing behind.

#include "anchang/abi.h"
#include "http/Router.h"
#include "plugin/KernelServices.h"
#include "plugin/PluginManifest.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace anchang {

class DurableDelivery;
class PluginBusAgent;

class PluginContext {
public:
    PluginContext(const PluginManifest& manifest, KernelServices services, nlohmann::json config);
    ~PluginContext();

    const anchang_host* host() const { return &table_; }

    /// Makes the staged routes live and starts the bus agent. Throws on a route conflict.
    void commit();
    /// Stops bus delivery; routes stay but the kernel no longer serves this plugin's traffic.
    void stop();

    /// The first registration the kernel refused during start, to explain a failed start.
    const std::string& refusal() const { return refusal_; }

    /// Why the plugin works only in part (anchang_host.degrade), or "" when it works in full.
    std::string degraded() const {
        std::lock_guard lock(degradedMutex_);
        return degraded_;
    }

private:
    enum class Phase { Starting, Running, Stopped };

    static PluginContext& self(void* ctx) { return *static_cast<PluginContext*>(ctx); }
    int refuse(int status, const std::string& why);

    static void log(void* ctx, int level, const char* message);
    static int config(void* ctx, anchang_sink_fn sink, void* user);
    static int httpRoute(void* ctx, const char* method, const char* pattern, const char* permission, anchang_route_fn fn,
                         void* user);
    static int httpRouteNamed(void* ctx, const char* name, anchang_route_fn fn, void* user);
    /// Stages a route the manifest declares, with the handler that calls into the plugin.
    int stage(const PluginManifest::Route& route, anchang_route_fn fn, void* user);
    static int busPublish(void* ctx, const char* topic, int64_t project, const char* body);
    static int busSubscribe(void* ctx, const char* prefix, anchang_event_fn fn, void* user);
    static int busServe(void* ctx, const char* service, anchang_service_fn fn, void* user);
    static int busRequest(void* ctx, const char* service, int64_t project, const char* body, int timeoutMs,
                          anchang_sink_fn sink, void* user);
    static int dbQuery(void* ctx, const char* sql, const char* params, anchang_sink_fn sink, void* user);
    static int dbTransaction(void* ctx, anchang_tx_fn fn, void* user);
    static int auditAppend(void* ctx, const char* entry);
    static int hookCall(void* ctx, int64_t project, const char* hook, const char* input, anchang_sink_fn sink, void* user);
    static int formValidate(void* ctx, int64_t project, const char* form, const char* values, anchang_sink_fn sink, void* user);
    static int extend(void* ctx, int64_t project, const char* point, const char* input, anchang_sink_fn sink, void* user);
    static void eventFailed(void* ctx);
    static void crashPoint(void* ctx, const char* name);
    static int64_t nowMs(void* ctx);
    static int projectGet(void* ctx, int64_t project, anchang_sink_fn sink, void* user);
    static int jobHandle(void* ctx, const char* name, anchang_job_fn fn, void* user);
    static void degrade(void* ctx, const char* reason);
    static int httpLater(void* ctx, void* respondCtx, anchang_http_respond_fn* later, void** laterCtx);

    const PluginManifest& manifest_;
    KernelServices services_;
    nlohmann::json config_;
    anchang_host table_{};
    std::atomic<Phase> phase_{Phase::Starting};
    std::vector<Router::Route> stagedRoutes_;
    struct StagedJob {
        const PluginManifest::Job* job;
        anchang_job_fn fn;
        void* user;
    };
    std::vector<StagedJob> stagedJobs_;
    std::unique_ptr<PluginBusAgent> agent_;
    std::unique_ptr<DurableDelivery> durable_;
    std::string refusal_;
    mutable std::mutex degradedMutex_;
    std::string degraded_;
};

} // namespace anchang
