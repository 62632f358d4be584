#pragma once
/// anchang::NotificationCenter — the kernel's notification service (bus: kernel.notify).
///
/// A plugin names a recipient ({"user_id"}, {"phone"} or {"email"}), one of the templates its
/// manifest declares under "notifications" ({"zh-CN","en"} with {param} places) and the
/// parameters; the center renders the text in the asked language, stores the notification and
/// one delivery per channel that reaches the recipient — the in-app push for users, and the
/// operator's channels (`notify.channels`: log by default, webhook, email) — and answers at
/// once. A thread of its own delivers: a failed attempt is retried after 1 s, 5 s, 30 s, 2 min
/// and 10 min (on the kernel's clock, so tests advance it), then the delivery is failed. More
/// than `notify.perMinute` notifications to one recipient in a minute are recorded as
/// rate_limited and not sent: a loop in a module cannot flood a phone.
///
/// A template may name secret parameters ({"secret":["code"]}): the stored record and the log
/// show them masked, and the real text waits in memory only, for at most 15 minutes, for its
/// deliveries. A restart in between fails those deliveries: the secret was short-lived anyway.

#include "notify/NotificationChannel.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace anchang {

class BusClient;
class KernelClock;
class Store;
class UserDirectory;

class NotificationCenter {
public:
    struct Options {
        std::vector<std::string> channels{"log"}; ///< besides push, which users always get
        std::string webhookUrl;
        std::string webhookSecret;
        std::string smtpHost;
        int smtpPort = 25;
        std::string smtpFrom;
        int perMinute = 10;
        /// Write secret parameters to the log (development and tests only).
        bool logSecrets = false;
    };

    /// Throws std::invalid_argument for a channel it does not know or one configured wrongly,
    /// so the kernel does not start with notifications that cannot leave.
    NotificationCenter(Store& store, KernelClock& clock, BusClient& bus, UserDirectory& users, Options options);
    ~NotificationCenter();

    void addTemplates(const std::string& plugin, const std::map<std::string, nlohmann::json>& templates);
    /// {"recipient","template","params","lang"} from `plugin` -> {"id","deliveries":[{"channel","status"}]}.
    /// Throws sdk::Error 400 for an unknown template, a missing parameter or a bad recipient.
    nlohmann::json send(const std::string& plugin, std::int64_t project, const nlohmann::json& request);
    /// The template's texts; throws sdk::Error 400 when `plugin` has no template `name`.
    nlohmann::json texts(const std::string& plugin, const std::string& name);
    /// The newest notifications with their deliveries, of one project or all (0).
    nlohmann::json recent(std::int64_t project, int limit);

    void start();
    void stop();

private:
    std::string render(const std::string& name, const nlohmann::json& texts, const std::string& lang, const nlohmann::json& params);
    nlohmann::json resolve(const nlohmann::json& recipient);
    void run();
    void attempt(const nlohmann::json& delivery);

    Store& store_;
    KernelClock& clock_;
    UserDirectory& users_;
    Options options_;
    std::map<std::string, std::unique_ptr<NotificationChannel>> channels_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::map<std::string, nlohmann::json> templates_; ///< "plugin.name" -> {"zh-CN","en","secret"?}
    /// Notifications with secret parameters: id -> the real text and parameters, and when they go.
    struct Secret {
        std::string text;
        nlohmann::json params;
        std::int64_t forgetAt;
    };
    std::map<std::int64_t, Secret> secrets_;
    std::atomic<bool> stopping_{false};
    bool poked_ = false;
    std::thread thread_;
};

} // namespace anchang
