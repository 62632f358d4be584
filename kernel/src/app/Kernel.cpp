#include "app/Kernel.h"

#include "api/AdminApi.h"
#include "api/AlertApi.h"
#include "api/AuditApi.h"
#include "api/AuthApi.h"
#include "api/CodeSignInApi.h"
#include "api/ProjectApi.h"
#include "api/EventStreamApi.h"
#include "api/FormApi.h"
#include "api/JobApi.h"
#include "api/MediaApi.h"
#include "api/NotificationApi.h"
#include "api/TestClockApi.h"
#include "clock/KernelClock.h"
#include "schedule/Scheduler.h"
#include "api/ScriptApi.h"
#include "app/KernelBusServices.h"
#include "push/PushHub.h"
#include "alert/AlertCenter.h"
#include "form/FormService.h"
#include "script/HookCatalog.h"
#include "script/HookRunner.h"
#include "script/ScriptEngine.h"
#include "script/ScriptRepository.h"
#include "api/UserApi.h"
#include "app/DemoSeed.h"
#include "audit/AuditLog.h"
#include "audit/AuditWitness.h"
#include "auth/AccessPolicy.h"
#include "auth/DeviceTrust.h"
#include "auth/LoginThrottle.h"
#include "auth/SignInCodes.h"
#include "auth/PasswordHasher.h"
#include "auth/RoleCatalog.h"
#include "auth/TokenService.h"
#include "auth/UserDirectory.h"
#include "http/Router.h"
#include "http/StaticFiles.h"
#include "media/MediaLibrary.h"
#include "app/FaultPoints.h"
#include "plugin/BusContracts.h"
#include "plugin/Outbox.h"
#include "plugin/PluginHost.h"
#include "project/ProjectDirectory.h"
#include "store/KernelMigrations.h"
#include "store/Migrator.h"
#include "store/SecretFile.h"
#include "store/SqliteStore.h"

#include <Poco/Environment.h>
#include <Poco/Logger.h>
#include <Poco/Process.h>
#include <Poco/RandomStream.h>

#include <fstream>
#include <sstream>

namespace anchang {

namespace {
Poco::Logger& logger() { return Poco::Logger::get("kernel"); }

/// How long a browser stays trusted after its last successful login.
constexpr std::int64_t kDeviceTokenTtl = 180LL * 24 * 3600;

std::string readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}
} // namespace

Kernel::Kernel(Settings settings) : settings_(std::move(settings)) {}

Kernel::~Kernel() { stop(); }

void Kernel::loadLicence() {
    publicKeyPem_ = readFile(settings_.publicKeyFile);
    // A licence uploaded through the admin page lives in the data folder and wins over the one
    // the configuration names.
    const auto uploaded = settings_.dataDir / "licence.json";
    const auto file = std::filesystem::exists(uploaded) ? uploaded : settings_.licenceFile;
    licence_ = Licence::load(file.string(), publicKeyPem_, Licence::today());
    switch (licence_.state()) {
    case Licence::State::Valid:
        logger().information("licence %s for %s: %s, valid through %s", licence_.terms()["id"].get<std::string>(),
                             licence_.terms()["customer"].get<std::string>(), licence_.terms()["modules"].dump(),
                             licence_.terms()["expires_at"].get<std::string>());
        break;
    case Licence::State::Expired: logger().warning("licence: %s", licence_.problem()); break;
    case Licence::State::Refused: logger().error("licence refused (%s): %s", file.string(), licence_.problem()); break;
    case Licence::State::Missing: logger().warning("licence: %s; only always-on plugins run", licence_.problem()); break;
    }
}

void Kernel::declareKernelPermissions() {
    auto both = [](const char* zh, const char* en) { return nlohmann::json{{"zh-CN", zh}, {"en", en}}; };
    // The kernel names no role of the sales office: the plugin that introduces a role grants it
    // the kernel's permissions it should hold (core's manifest, "grants").
    policy_->declare("kernel.admin", {}, both("系统管理", "Administer the system"), "kernel");
    policy_->declare("kernel.members.read", {}, both("查看项目成员", "See the members of a project"), "kernel");
    policy_->declare("kernel.audit.read", {}, both("查看审计日志", "Read the audit log"), "kernel");
    policy_->declare("kernel.audit.verify", {}, both("校验审计链", "Verify the audit chain"), "kernel");
    policy_->declare("kernel.scripts.read", {}, both("查看项目脚本", "See the project's scripts"), "kernel");
    policy_->declare("kernel.scripts.write", {}, both("编写和试运行脚本", "Write and dry-run scripts"), "kernel");
    policy_->declare("kernel.scripts.activate", {}, both("启用、回滚和删除脚本", "Activate, roll back and delete scripts"), "kernel");
    policy_->declare("kernel.forms.write", {}, both("设置自定义表单字段", "Set custom form fields"), "kernel");
    policy_->declare("kernel.alerts.read", {}, both("查看和确认提醒", "See and acknowledge alerts"), "kernel");
}

void Kernel::ensureAdmin() {
    if (!settings_.demoSeed.empty()) DemoSeed::apply(settings_.demoSeed, *store_, *users_, *projects_, *roles_);
    if (!users_->empty()) return;
    // A fresh production install: one admin with a random password, shown once in the log.
    std::string password(12, '\0');
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    Poco::RandomInputStream random;
    for (char& c : password) c = alphabet[static_cast<unsigned char>(random.get()) % (sizeof alphabet - 1)];
    users_->create({{"username", "admin"}, {"display_name", "Administrator"}, {"password", password},
                    {"roles", {{{"role", "admin"}, {"project_id", 0}}}}});
    logger().warning("created the first user: admin / %s — change this password after logging in", password);
}

void Kernel::start() {
    if (!settings_.crashAt.empty()) {
        logger().warning("test.crashAt=%s: this kernel ends itself at that point (fault-injection tests only)", settings_.crashAt);
        FaultPoints::arm(settings_.crashAt);
    }
    clock_ = std::make_unique<KernelClock>(settings_.testClock);
    if (settings_.testClock) logger().warning("test.clock: this kernel's clock can be moved through /api/v1/test/clock (tests only)");
    std::filesystem::create_directories(settings_.dataDir);
    SqliteStore::Options storeOptions{(settings_.dataDir / "anchang.db").string(), settings_.synchronous};
    storeOptions.batchAge = settings_.batchAge;
    store_ = std::make_unique<SqliteStore>(storeOptions);
    Migrator(*store_).apply("kernel", kernelMigrations());
    loadLicence();

    audit_ = std::make_unique<AuditLog>(
        *store_, AuditSeal(SecretFile::loadOrCreate((settings_.dataDir / "audit.key").string(), 32, [] { return SecretFile::randomBytes(32); })));
    auditWitness_ = std::make_unique<AuditWitness>(*audit_, AuditWitness::Options{settings_.dataDir, std::chrono::seconds(5),
                                                                                  settings_.auditCheckpointEvery});
    auditWitness_->start();
    if (settings_.cheapPasswords) logger().warning("test.cheapPasswords: new passwords are hashed at the lowest cost (tests only)");
    hasher_ = settings_.cheapPasswords ? std::make_unique<PasswordHasher>(PasswordHasher::Cost{1, 64, 1}) : std::make_unique<PasswordHasher>();
    roles_ = std::make_unique<RoleCatalog>();
    users_ = std::make_unique<UserDirectory>(*store_, *hasher_, *roles_);
    tokens_ = std::make_unique<TokenService>(*store_, (settings_.dataDir / "token.key").string(), settings_.tokenTtlSeconds);
    devices_ = std::make_unique<DeviceTrust>(*tokens_, kDeviceTokenTtl);
    throttle_ = std::make_unique<LoginThrottle>();
    // Wrong sign-in codes: each code allows 5 tries itself; this holds back one address trying
    // codes for many phones (30), and a phone past five codes' worth of tries (25).
    codeThrottle_ = std::make_unique<LoginThrottle>(LoginThrottle::Limits{25, 30, 5, std::chrono::minutes(15)});
    policy_ = std::make_unique<AccessPolicy>(*store_, *roles_);
    projects_ = std::make_unique<ProjectDirectory>(*store_, [this] { return licence_.usable() ? licence_.projects() : 1; });
    declareKernelPermissions();

    router_ = std::make_unique<Router>();
    Bus::Options busOptions = settings_.bus;
    busOptions.explain = [this](const std::string& service) {
        return plugins_ ? plugins_->explainService(service) : std::string("the kernel is starting");
    };
    busOptions.mayOffer = [this](const std::string& client, const std::string& service) {
        return plugins_ && plugins_->externalOffers(client, service);
    };
    busOptions.mayPublish = [this](const std::string& client, const std::string& topic) {
        return plugins_ && plugins_->externalPublishes(client, topic);
    };
    contracts_ = std::make_unique<BusContracts>(settings_.strictContracts);
    busOptions.joiner = store_.get();
    bus_ = std::make_unique<Bus>(busOptions);
    bus_->start();

    outbox_ = std::make_unique<Outbox>(*store_, bus_->client());
    // Delivered durable events are kept a day, for the monitor and for a subscriber coming back.
    outbox_->prune(std::chrono::hours(24));
    hookCatalog_ = std::make_unique<HookCatalog>();
    scripts_ = std::make_unique<ScriptRepository>(*store_);
    engine_ = std::make_unique<ScriptEngine>(DuktapeHeap::Limits{settings_.scriptBudget, settings_.scriptMemoryBytes},
                                             [this] { return hookCatalog_->helperNames(); });
    alerts_ = std::make_unique<AlertCenter>(*store_, bus_->client());
    hooks_ = std::make_unique<HookRunner>(HookRunner::Parts{*hookCatalog_, *scripts_, *engine_, bus_->client(), *alerts_, *audit_},
                                          HookRunner::Options{settings_.scriptMaxFailures});
    forms_ = std::make_unique<FormService>(*store_, *hooks_);
    notifications_ = std::make_unique<NotificationCenter>(*store_, *clock_, bus_->client(), *users_, settings_.notify);
    CodeSignInApi::declareTemplate(*notifications_);
    SignInCodes::Limits codeLimits;
    codeLimits.perAddressPerHour = settings_.codesPerAddressPerHour;
    codes_ = std::make_unique<SignInCodes>(
        *store_, *clock_, SecretFile::loadOrCreate((settings_.dataDir / "code.key").string(), 32, [] { return SecretFile::randomBytes(32); }),
        codeLimits);
    media_ = std::make_unique<MediaLibrary>(*store_, *clock_, MediaLibrary::Options{settings_.dataDir / "media", settings_.mediaMaxPixels});
    kernelServices_ = std::make_unique<KernelBusServices>(*bus_, *users_, *projects_, *alerts_, *notifications_, *media_, *codes_, *contracts_);
    kernelServices_->start();
    push_ = std::make_unique<PushHub>(*bus_, [this](const Principal& principal, const std::string& permission, std::int64_t project) {
        return policy_->allows(principal, permission, project);
    });
    push_->start();
    scheduler_ = std::make_unique<Scheduler>(
        *store_, *clock_,
        [this] {
            std::vector<Scheduler::Project> active;
            for (const auto& p : projects_->all())
                if (!p["archived"].get<bool>()) active.push_back({p["id"].get<std::int64_t>(), p["utc_offset_minutes"].get<int>()});
            return active;
        },
        *alerts_, Poco::Environment::nodeName() + ":" + std::filesystem::absolute(settings_.dataDir).lexically_normal().string());
    // Files whose kind has keep_days go when they expire (face photos: minimal retention).
    scheduler_->add("kernel", {"media_purge", "", 60 * 60 * 1000, {{"zh-CN", "清理过期文件"}, {"en", "Purge expired files"}}},
                    [this](std::int64_t project, std::int64_t, const std::string&) { return media_->purge(project); });
    plugins_ = std::make_unique<PluginHost>(
        KernelServices{*store_, *bus_, *router_, *policy_, *roles_, *contracts_, *outbox_, *audit_, *hookCatalog_, *hooks_, *forms_,
                       *clock_, *projects_, *scheduler_, *notifications_, *media_},
        licence_,
        PluginHost::Options{settings_.pluginsDir, settings_.disabledPlugins, settings_.pluginSettings});
    // The manifests come first: they say which roles exist, which the demo's users hold.
    plugins_->discover();
    ensureAdmin();
    authApi_ = std::make_unique<AuthApi>(*users_, *tokens_, *devices_, *throttle_, *projects_, *policy_);
    userApi_ = std::make_unique<UserApi>(*users_, *policy_, *audit_);
    projectApi_ = std::make_unique<ProjectApi>(*projects_, *users_, *audit_);
    auditApi_ = std::make_unique<AuditApi>(*audit_, *auditWitness_);
    adminApi_ = std::make_unique<AdminApi>(AdminApi::Parts{*plugins_, licence_, *bus_, *store_, *audit_, settings_.dataDir,
                                                           publicKeyPem_, *roles_, *contracts_, *outbox_,
                                                           [this] { return http_ ? http_->stats() : nlohmann::json::object(); }});
    authApi_->install(*router_);
    codeSignInApi_ = std::make_unique<CodeSignInApi>(CodeSignInApi::Parts{
        *codes_, *users_, *notifications_, *codeThrottle_, *projects_, *authApi_, [this](const std::string& role) { return plugins_->offersSignIn(role); }});
    codeSignInApi_->install(*router_);
    userApi_->install(*router_);
    projectApi_->install(*router_);
    auditApi_->install(*router_);
    adminApi_->install(*router_);
    scriptApi_ = std::make_unique<ScriptApi>(ScriptApi::Parts{*hookCatalog_, *scripts_, *engine_, *hooks_, *audit_});
    scriptApi_->install(*router_);
    formApi_ = std::make_unique<FormApi>(*forms_, *audit_);
    formApi_->install(*router_);
    alertApi_ = std::make_unique<AlertApi>(*alerts_);
    alertApi_->install(*router_);
    eventStreamApi_ = std::make_unique<EventStreamApi>(*push_);
    eventStreamApi_->install(*router_);
    jobApi_ = std::make_unique<JobApi>(*scheduler_);
    jobApi_->install(*router_);
    notificationApi_ = std::make_unique<NotificationApi>(*notifications_);
    notificationApi_->install(*router_);
    mediaApi_ = std::make_unique<MediaApi>(*media_, *policy_, *audit_);
    mediaApi_->install(*router_);
    if (clock_->adjustable()) {
        testClockApi_ = std::make_unique<TestClockApi>(*clock_);
        testClockApi_->install(*router_);
    }

    plugins_->startAll();
    scheduler_->start();
    notifications_->start();

    files_ = std::make_unique<StaticFiles>(settings_.webuiDir);
    if (!files_->available()) logger().warning("no web UI at %s: only the API is served", settings_.webuiDir.string());
    if (settings_.accessSink) accessLog_ = std::make_unique<AccessLog>(settings_.accessSink, settings_.accessJson);
    pipeline_ = std::make_unique<RequestPipeline>(
        RequestPipeline::Parts{*router_, *tokens_, *users_, *policy_, *projects_, *files_,
                               [this](const std::string& owner) { return plugins_->readOnlyReason(owner); }},
        RequestPipeline::Options{settings_.maxBodyBytes, accessLog_.get()});
    http_ = std::make_unique<HttpServer>(*pipeline_, settings_.http);
    http_->start();
    running_ = true;
    writeRuntimeFile();
    logger().information("anchangd listening on http://%s:%d", settings_.http.host, http_->port());
}

void Kernel::writeRuntimeFile() {
    // Scripts and tests find the chosen ports here when they asked for port 0.
    const nlohmann::json runtime = {{"pid", Poco::Process::id()}, {"http_port", http_->port()}, {"bus", bus_->endpoints()}};
    const auto dir = settings_.dataDir / "run";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "anchangd.json.partial") << runtime.dump() << "\n";
    std::filesystem::rename(dir / "anchangd.json.partial", dir / "anchangd.json");
}

void Kernel::stop() {
    if (!running_) return;
    running_ = false;
    logger().information("stopping: draining HTTP requests");
    http_->stop(settings_.drainTimeout);
    push_->stop();
    scheduler_->stop();
    plugins_->stopAll();
    notifications_->stop();
    outbox_->stop();
    kernelServices_->stop();
    bus_->stop();
    auditWitness_->stop();
    http_.reset();
    pipeline_.reset();
    plugins_.reset();
    scheduler_.reset();
    bus_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove(settings_.dataDir / "run" / "anchangd.json", ignored);
    logger().information("stopped");
}

int Kernel::httpPort() const { return http_ ? http_->port() : 0; }

nlohmann::json Kernel::busEndpoints() const { return bus_ ? bus_->endpoints() : nlohmann::json::object(); }

} // namespace anchang
