#pragma once
/// anchang::Kernel — the composition root: builds the kernel's parts in order, starts them,
/// and stops them in reverse.
///
/// Start: store and migrations, licence, users and tokens, bus, kernel routes, plugins, HTTP.
/// Stop (SIGTERM): HTTP drains in-flight requests, plugins stop in reverse order, the bus shuts
/// down, the store closes (SQLite checkpoints the WAL when the last connection closes).

#include "bus/Bus.h"
#include "http/AccessLog.h"
#include "http/HttpServer.h"
#include "http/RequestPipeline.h"
#include "licence/Licence.h"
#include "notify/NotificationCenter.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <memory>
#include <set>
#include <string>

namespace anchang {

class AccessPolicy;
class AdminApi;
class AlertCenter;
class EventStreamApi;
class KernelBusServices;
class PushHub;
class FormService;
class HookCatalog;
class HookRunner;
class ScriptApi;
class FormApi;
class AlertApi;
class ScriptEngine;
class ScriptRepository;
class AuditApi;
class AuditLog;
class AuditWitness;
class AuthApi;
class MediaApi;
class MediaLibrary;
class CodeSignInApi;
class SignInCodes;
class BusContracts;
class Outbox;
class DeviceTrust;
class ProjectApi;
class UserApi;
class LoginThrottle;
class PasswordHasher;
class RoleCatalog;
class PluginHost;
class ProjectDirectory;
class Router;
class StaticFiles;
class Store;
class TokenService;
class UserDirectory;
class KernelClock;
class Scheduler;
class JobApi;
class TestClockApi;
class NotificationApi;

class Kernel {
public:
    struct Settings {
        std::filesystem::path dataDir = "var";
        std::filesystem::path pluginsDir = "plugins";
        std::filesystem::path webuiDir = "webui/dist";
        std::filesystem::path licenceFile;
        std::filesystem::path publicKeyFile;
        std::set<std::string> disabledPlugins;
        std::map<std::string, nlohmann::json> pluginSettings;
        HttpServer::Options http;
        std::size_t maxBodyBytes = 1 << 20;
        /// Where access-log lines go; no access log when empty.
        AccessLog::Sink accessSink;
        bool accessJson = true;
        Bus::Options bus;
        std::string synchronous = "FULL";
        /// Group commit: how long a batch of transactions may stay open for more writers (0: each
        /// transaction commits alone).
        std::chrono::milliseconds batchAge{10};
        std::int64_t tokenTtlSeconds = 12 * 3600;
        std::filesystem::path demoSeed;
        /// Project scripts: per-call time budget, heap memory cap, failures before switch-off,
        /// and an optional fixed clock (ms since the epoch) for tests.
        std::chrono::milliseconds scriptBudget{50};
        std::size_t scriptMemoryBytes = 16u << 20;
        int scriptMaxFailures = 5;
        std::chrono::milliseconds drainTimeout{10000};
        /// Refuse (not only count) messages that break their declared contract: every test kernel.
        bool strictContracts = false;
        /// Test only: the fault point (FaultPoints) where this kernel ends itself.
        std::string crashAt;
        /// Test only: the kernel's clock can be set and advanced through /api/v1/test/clock.
        bool testClock = false;
        /// Test only: new password hashes at argon2's cheapest cost, so that the hundred kernels
        /// a test run starts do not spend a second each hashing the demo's passwords.
        bool cheapPasswords = false;
        /// Sign-in codes sent per client address per hour (auth.codes.perAddressPerHour): an
        /// opening hall's buyers reach the server through one Wi-Fi's address.
        int codesPerAddressPerHour = 20;
        /// Channels and limits of kernel.notify (notify.*).
        NotificationCenter::Options notify;
        /// Images with more pixels are refused (media.maxPixels).
        std::int64_t mediaMaxPixels = 64'000'000;
        /// How often a signed audit checkpoint is kept while the log moves.
        std::chrono::seconds auditCheckpointEvery{3600};
    };

    explicit Kernel(Settings settings);
    ~Kernel();

    /// Throws std::exception for what the kernel cannot run without (a taken port, an
    /// unreadable database); a plugin's trouble never throws.
    void start();
    void stop();

    int httpPort() const;
    nlohmann::json busEndpoints() const;

private:
    void loadLicence();
    void declareKernelPermissions();
    void ensureAdmin();
    void writeRuntimeFile();

    Settings settings_;
    Licence licence_;
    std::string publicKeyPem_;
    std::unique_ptr<KernelClock> clock_;
    std::unique_ptr<Store> store_;
    std::unique_ptr<AuditLog> audit_;
    std::unique_ptr<AuditWitness> auditWitness_;
    std::unique_ptr<PasswordHasher> hasher_;
    std::unique_ptr<RoleCatalog> roles_;
    std::unique_ptr<UserDirectory> users_;
    std::unique_ptr<TokenService> tokens_;
    std::unique_ptr<DeviceTrust> devices_;
    std::unique_ptr<LoginThrottle> throttle_;
    std::unique_ptr<SignInCodes> codes_;
    std::unique_ptr<LoginThrottle> codeThrottle_;
    std::unique_ptr<AccessPolicy> policy_;
    std::unique_ptr<ProjectDirectory> projects_;
    std::unique_ptr<Router> router_;
    std::unique_ptr<Bus> bus_;
    std::unique_ptr<BusContracts> contracts_;
    std::unique_ptr<Outbox> outbox_;
    std::unique_ptr<HookCatalog> hookCatalog_;
    std::unique_ptr<ScriptRepository> scripts_;
    std::unique_ptr<ScriptEngine> engine_;
    std::unique_ptr<AlertCenter> alerts_;
    std::unique_ptr<HookRunner> hooks_;
    std::unique_ptr<FormService> forms_;
    std::unique_ptr<KernelBusServices> kernelServices_;
    std::unique_ptr<PushHub> push_;
    std::unique_ptr<Scheduler> scheduler_;
    std::unique_ptr<NotificationCenter> notifications_;
    std::unique_ptr<PluginHost> plugins_;
    // The kernel's route handlers point into these, so they live as long as the router.
    std::unique_ptr<AuthApi> authApi_;
    std::unique_ptr<CodeSignInApi> codeSignInApi_;
    std::unique_ptr<MediaLibrary> media_;
    std::unique_ptr<MediaApi> mediaApi_;
    std::unique_ptr<UserApi> userApi_;
    std::unique_ptr<ProjectApi> projectApi_;
    std::unique_ptr<AuditApi> auditApi_;
    std::unique_ptr<AdminApi> adminApi_;
    std::unique_ptr<ScriptApi> scriptApi_;
    std::unique_ptr<FormApi> formApi_;
    std::unique_ptr<AlertApi> alertApi_;
    std::unique_ptr<EventStreamApi> eventStreamApi_;
    std::unique_ptr<JobApi> jobApi_;
    std::unique_ptr<TestClockApi> testClockApi_;
    std::unique_ptr<NotificationApi> notificationApi_;
    std::unique_ptr<StaticFiles> files_;
    std::unique_ptr<AccessLog> accessLog_;
    std::unique_ptr<RequestPipeline> pipeline_;
    std::unique_ptr<HttpServer> http_;
    bool running_ = false;
};

} // namespace anchang
