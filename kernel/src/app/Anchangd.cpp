#include "app/Anchangd.h"

#include "anchang/sdk/Json.hpp"
#include "app/BufferedLogChannel.h"
#include "app/JsonLogFormatter.h"
#include "app/Kernel.h"
#include "store/SqliteStore.h"

#include <Poco/AutoPtr.h>
#include <Poco/Environment.h>
#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Path.h>
#include <Poco/PatternFormatter.h>
#include <Poco/StringTokenizer.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/MapConfiguration.h>
#include <Poco/Util/Option.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <sys/resource.h>
#include <unistd.h>

namespace anchang {

namespace {

/// The environment variables the README promises, and the keys they set.
const std::map<std::string, std::string> kEnvironment = {
    {"ANCHANG_HOST", "http.host"},
    {"ANCHANG_PORT", "http.port"},
    {"ANCHANG_DATA_DIR", "data.dir"},
    {"ANCHANG_PLUGINS_DIR", "plugins.dir"},
    {"ANCHANG_PLUGINS_DISABLED", "plugins.disabled"},
    {"ANCHANG_WEBUI_DIR", "webui.dir"},
    {"ANCHANG_LICENCE", "licence.file"},
    {"ANCHANG_LICENCE_KEY", "licence.publicKey"},
    {"ANCHANG_BUS_EXTERNAL", "bus.external"},
    {"ANCHANG_BUS_REQUEST_PORT", "bus.requestPort"},
    {"ANCHANG_BUS_SUBSCRIBE_PORT", "bus.subscribePort"},
    {"ANCHANG_BUS_PUBLISH_PORT", "bus.publishPort"},
    {"ANCHANG_DEMO_SEED", "demo.seed"},
    {"ANCHANG_LOG_LEVEL", "log.level"},
    {"ANCHANG_LOG_FORMAT", "log.format"},
    {"ANCHANG_ACCESS_LOG", "http.accessLog"},
    {"ANCHANG_STORE_SYNCHRONOUS", "store.synchronous"},
};

void raiseFileLimit() {
    // Thousands of idle keep-alive connections need as many descriptors; the soft limit is often
    // 1024 while the hard limit allows far more.
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

} // namespace

void Anchangd::defineOptions(Poco::Util::OptionSet& options) {
    ServerApplication::defineOptions(options);
    using Poco::Util::Option;
    options.addOption(Option("help", "h", "show the options and exit"));
    options.addOption(Option("config", "c", "read settings from FILE").argument("FILE"));
    options.addOption(Option("port", "p", "HTTP port (0 picks a free one)").argument("PORT"));
    options.addOption(Option("data-dir", "d", "where the database, keys and backups live").argument("DIR"));
    options.addOption(Option("plugins-dir", "", "where plugin folders are").argument("DIR"));
    options.addOption(Option("set", "s", "set any configuration key").argument("KEY=VALUE").repeatable(true));
    options.addOption(Option("backup", "", "copy the live database to FILE with SQLite's online backup, then exit").argument("FILE"));
}

void Anchangd::handleOption(const std::string& name, const std::string& value) {
    ServerApplication::handleOption(name, value);
    if (name == "help") {
        helpRequested_ = true;
        stopOptionsProcessing();
    } else if (name == "config") configFile_ = value;
    else if (name == "port") overrides_["http.port"] = value;
    else if (name == "data-dir") overrides_["data.dir"] = value;
    else if (name == "plugins-dir") overrides_["plugins.dir"] = value;
    else if (name == "backup") backupTarget_ = value;
    else if (name == "set") {
        const auto eq = value.find('=');
        if (eq == std::string::npos || eq == 0) throw Poco::InvalidArgumentException("--set needs KEY=VALUE", value);
        overrides_[value.substr(0, eq)] = value.substr(eq + 1);
    }
}

std::string Anchangd::findConfigFile() const {
    if (!configFile_.empty()) return configFile_;
    if (Poco::Environment::has("ANCHANG_CONFIG")) return Poco::Environment::get("ANCHANG_CONFIG");
    const std::filesystem::path exe = config().getString("application.dir", ".");
    for (const auto& candidate : {exe / "../../config/anchang.properties", exe / "../etc/anchang/anchang.properties",
                                  std::filesystem::path("config/anchang.properties")})
        if (std::filesystem::exists(candidate)) return std::filesystem::weakly_canonical(candidate).string();
    return {};
}

void Anchangd::initialize(Poco::Util::Application& self) {
    const std::string file = findConfigFile();
    if (!file.empty()) {
        // Poco's application.configDir is the user's ~/.config folder, so the properties file
        // gets its own folder under another name for its relative paths.
        Poco::AutoPtr<Poco::Util::MapConfiguration> location(new Poco::Util::MapConfiguration);
        location->setString("anchang.configDir", std::filesystem::path(file).parent_path().string() + "/");
        config().add(location, PRIO_DEFAULT + 10);
        loadConfiguration(file, PRIO_DEFAULT);
    }
    Poco::AutoPtr<Poco::Util::MapConfiguration> environment(new Poco::Util::MapConfiguration);
    for (const auto& [variable, key] : kEnvironment)
        if (Poco::Environment::has(variable)) environment->setString(key, Poco::Environment::get(variable));
    config().add(environment, PRIO_DEFAULT - 50);
    Poco::AutoPtr<Poco::Util::MapConfiguration> commandLine(new Poco::Util::MapConfiguration);
    for (const auto& [key, value] : overrides_) commandLine->setString(key, value);
    config().add(commandLine, PRIO_APPLICATION);
    configureLogging();
    ServerApplication::initialize(self);
    if (!file.empty()) logger().information("configuration: %s", file);
}

void Anchangd::configureLogging() {
    Poco::AutoPtr<Poco::Formatter> formatter;
    if (config().getString("log.format", "json") == "text")
        formatter = new Poco::PatternFormatter("%Y-%m-%d %H:%M:%S.%i %p %s: %t");
    else
        formatter = new JsonLogFormatter;
    channel_ = new BufferedLogChannel(formatter, STDERR_FILENO);
    Poco::Logger::setChannel("", channel_);
    Poco::Logger::setLevel("", Poco::Logger::parseLevel(config().getString("log.level", "information")));
}

void Anchangd::flushLogging() { channel_->flush(); }

int Anchangd::main(const std::vector<std::string>&) {
    if (helpRequested_) {
        Poco::Util::HelpFormatter help(options());
        help.setCommand(commandName());
        help.setHeader("anchangd — the Anchang sales-office platform kernel");
        help.format(std::cout);
        return EXIT_OK;
    }
    std::signal(SIGPIPE, SIG_IGN);
    raiseFileLimit();
    const auto& c = config();
    const std::filesystem::path dataDir = c.getString("data.dir", "var");

    if (!backupTarget_.empty()) {
        try {
            SqliteStore store({(dataDir / "anchang.db").string()});
            store.backup(backupTarget_);
            std::cout << "backup written to " << backupTarget_ << "\n";
            return EXIT_OK;
        } catch (const std::exception& e) {
            std::cerr << "backup failed: " << e.what() << "\n";
            return EXIT_IOERR;
        }
    }

    Kernel::Settings s;
    s.dataDir = dataDir;
    s.pluginsDir = c.getString("plugins.dir", "plugins");
    s.webuiDir = c.getString("webui.dir", "webui/dist");
    s.licenceFile = c.getString("licence.file", "config/licence/demo.licence");
    s.publicKeyFile = c.getString("licence.publicKey", "config/licence/vendor.pub");
    for (const auto& id : Poco::StringTokenizer(c.getString("plugins.disabled", ""), ",",
                                                Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY))
        s.disabledPlugins.insert(id);
    Poco::Util::AbstractConfiguration::Keys pluginIds;
    c.keys("plugins", pluginIds);
    for (const auto& id : pluginIds) {
        if (id == "dir" || id == "disabled") continue;
        Poco::Util::AbstractConfiguration::Keys keys;
        c.keys("plugins." + id, keys);
        for (const auto& key : keys) {
            // Values are JSON when they parse as JSON (numbers, booleans, lists), text otherwise.
            const std::string text = c.getString("plugins." + id + "." + key);
            nlohmann::json value = sdk::Json::parse(text);
            s.pluginSettings[id][key] = value.is_discarded() ? nlohmann::json(text) : value;
        }
    }
    s.http.host = c.getString("http.host", "127.0.0.1");
    s.http.port = c.getInt("http.port", 8080);
    s.http.threads = c.getInt("http.threads", 64);
    s.http.listeners = c.getInt("http.listeners", 0);
    s.http.idleTimeout = std::chrono::seconds(c.getInt("http.idleTimeout", 75));
    s.http.grace = std::chrono::microseconds(c.getInt("http.graceMicros", 50000));
    s.http.requestTimeout = std::chrono::seconds(c.getInt("http.requestTimeout", 10));
    s.maxBodyBytes = static_cast<std::size_t>(c.getInt("http.maxBodyBytes", 1 << 20));
    if (c.getBool("http.accessLog", true))
        s.accessSink = [channel = channel_](std::string&& line) mutable { channel->append(std::move(line)); };
    s.accessJson = c.getString("log.format", "json") != "text";
    s.bus.external = c.getBool("bus.external", false);
    Poco::Util::AbstractConfiguration::Keys clients;
    c.keys("bus.credentials", clients);
    for (const auto& name : clients) s.bus.credentials[name] = c.getString("bus.credentials." + name);
    s.bus.host = c.getString("bus.host", "127.0.0.1");
    s.bus.requestPort = c.getInt("bus.requestPort", 8081);
    s.bus.subscribePort = c.getInt("bus.subscribePort", 8082);
    s.bus.publishPort = c.getInt("bus.publishPort", 8083);
    s.bus.workerTimeoutMs = c.getInt("bus.workerTimeoutMs", 5000);
    s.strictContracts = c.getBool("bus.strictContracts", false);
    s.codesPerAddressPerHour = c.getInt("auth.codes.perAddressPerHour", 20);
    s.crashAt = c.getString("test.crashAt", "");
    s.testClock = c.getBool("test.clock", false);
    s.cheapPasswords = c.getBool("test.cheapPasswords", false);
    s.notify.channels.clear();
    for (const auto& channel : Poco::StringTokenizer(c.getString("notify.channels", "log"), ",",
                                                     Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY))
        s.notify.channels.push_back(channel);
    s.notify.webhookUrl = c.getString("notify.webhook.url", "");
    s.notify.webhookSecret = c.getString("notify.webhook.secret", "");
    s.notify.smtpHost = c.getString("notify.smtp.host", "");
    s.notify.smtpPort = c.getInt("notify.smtp.port", 25);
    s.notify.smtpFrom = c.getString("notify.smtp.from", "");
    s.notify.perMinute = std::clamp(c.getInt("notify.perMinute", 10), 1, 1000);
    s.notify.logSecrets = c.getBool("notify.logSecrets", false);
    s.mediaMaxPixels = std::clamp<std::int64_t>(c.getInt64("media.maxPixels", 64'000'000), 1'000'000, 400'000'000);
    s.synchronous = c.getString("store.synchronous", "FULL");
    s.batchAge = std::chrono::milliseconds(std::clamp(c.getInt("store.batchAgeMs", 10), 0, 1000));
    s.tokenTtlSeconds = c.getInt("auth.tokenTtl", 12 * 3600);
    s.demoSeed = c.getString("demo.seed", "");
    s.scriptBudget = std::chrono::milliseconds(c.getInt("scripts.budgetMs", 50));
    s.scriptMemoryBytes = static_cast<std::size_t>(c.getInt("scripts.memoryMiB", 16)) << 20;
    s.scriptMaxFailures = c.getInt("scripts.maxFailures", 5);
    s.auditCheckpointEvery = std::chrono::seconds(c.getInt("audit.checkpointMinutes", 60) * 60);

    Kernel kernel(s);
    try {
        kernel.start();
    } catch (const Poco::Exception& e) {
        logger().fatal("cannot start: %s", e.displayText()); // what() alone is the exception's class name
        flushLogging();
        return EXIT_SOFTWARE;
    } catch (const std::exception& e) {
        logger().fatal("cannot start: %s", std::string(e.what()));
        flushLogging();
        return EXIT_SOFTWARE;
    }
    waitForTerminationRequest();
    kernel.stop();
    flushLogging();
    return EXIT_OK;
}

} // namespace anchang
