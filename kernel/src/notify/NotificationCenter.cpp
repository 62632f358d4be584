#include "notify/NotificationCenter.h"

#include "anchang/sdk/Error.hpp"
#include "anchang/sdk/Json.hpp"
#include "auth/UserDirectory.h"
#include "clock/KernelClock.h"
#include "notify/EmailChannel.h"
#include "notify/LogChannel.h"
#include "notify/PushChannel.h"
#include "notify/WebhookChannel.h"
#include "store/Store.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <array>
#include <regex>

namespace anchang {

namespace {

/// After the n-th failed attempt, wait this long; after the last, the delivery has failed.
constexpr std::array<std::int64_t, 5> kBackoffMs{1000, 5000, 30000, 120000, 600000};
/// A text message, a robot's card, a short mail: never a document.
constexpr std::size_t kMaxTextBytes = 2000;
/// How long a secret text waits in memory for its deliveries (a sign-in code lives 5 minutes).
constexpr std::int64_t kSecretKeptMs = 15 * 60 * 1000;
constexpr const char* kMask = "******";

std::string text(const nlohmann::json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

} // namespace

NotificationCenter::NotificationCenter(Store& store, KernelClock& clock, BusClient& bus, UserDirectory& users, Options options)
    : store_(store), clock_(clock), users_(users), options_(std::move(options)) {
    channels_["push"] = std::make_unique<PushChannel>(bus);
    for (const auto& name : options_.channels) {
        if (name == "log") channels_[name] = std::make_unique<LogChannel>(options_.logSecrets);
        else if (name == "webhook")
            channels_[name] = std::make_unique<WebhookChannel>(options_.webhookUrl, options_.webhookSecret, [this] { return clock_.nowMs(); });
        else if (name == "email") channels_[name] = std::make_unique<EmailChannel>(options_.smtpHost, options_.smtpPort, options_.smtpFrom);
        else if (name != "push") throw std::invalid_argument("notify.channels: unknown channel \"" + name + "\" (log, webhook, email)");
    }
    clock_.onChange([this](bool) {
        {
            std::lock_guard lock(mutex_);
            poked_ = true;
        }
        wake_.notify_all();
    });
}

NotificationCenter::~NotificationCenter() { stop(); }

void NotificationCenter::addTemplates(const std::string& plugin, const std::map<std::string, nlohmann::json>& templates) {
    std::lock_guard lock(mutex_);
    for (const auto& [name, texts] : templates) templates_[plugin + "." + name] = texts;
}

nlohmann::json NotificationCenter::texts(const std::string& plugin, const std::string& name) {
    std::lock_guard lock(mutex_);
    const auto it = templates_.find(name);
    // A module speaks with its own templates only: the name starts with its id.
    if (it == templates_.end() || name.rfind(plugin + ".", 0) != 0)
        throw sdk::Error::invalid("notify.unknown_template", "plugin " + plugin + " declares no notification template " + name);
    return it->second;
}

std::string NotificationCenter::render(const std::string& name, const nlohmann::json& texts, const std::string& lang,
                                       const nlohmann::json& params) {
    std::string out = texts.contains(lang) ? texts[lang].get<std::string>() : texts["zh-CN"].get<std::string>();
    static const std::regex place(R"(\{([a-z_][a-z0-9_]*)\})");
    std::string rendered;
    auto from = out.cbegin();
    for (std::sregex_iterator it(out.begin(), out.end(), place), end; it != end; ++it) {
        const std::string key = (*it)[1];
        if (!params.contains(key) || params[key].is_object() || params[key].is_array() || params[key].is_null())
            throw sdk::Error::invalid("notify.missing_param", "template " + name + " needs the parameter " + key);
        rendered.append(from, out.cbegin() + it->position());
        rendered += text(params[key]);
        from = out.cbegin() + it->position() + it->length();
    }
    rendered.append(from, out.cend());
    if (rendered.size() > kMaxTextBytes)
        throw sdk::Error::invalid("notify.too_long", "the message would be " + std::to_string(rendered.size()) + " bytes; at most " +
                                                         std::to_string(kMaxTextBytes));
    return rendered;
}

nlohmann::json NotificationCenter::resolve(const nlohmann::json& recipient) {
    if (!recipient.is_object()) throw sdk::Error::invalid("notify.bad_recipient", "recipient must be {user_id}, {phone} or {email}");
    if (recipient.contains("user_id")) {
        if (!recipient["user_id"].is_number_integer()) throw sdk::Error::invalid("notify.bad_recipient", "user_id must be an id");
        nlohmann::json user;
        try {
            user = users_.get(recipient["user_id"].get<std::int64_t>());
        } catch (const sdk::Error&) {
            throw sdk::Error::invalid("notify.bad_recipient", "no such user: " + recipient["user_id"].dump());
        }
        nlohmann::json out = {{"user_id", user["id"]}, {"name", user["display_name"]}};
        if (user["phone"].is_string()) out["phone"] = user["phone"];
        return out;
    }
    static const std::regex phone("1[3-9][0-9]{9}");
    static const std::regex email(R"([^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63})");
    if (recipient.contains("phone") && recipient["phone"].is_string() && std::regex_match(recipient["phone"].get<std::string>(), phone))
        return {{"phone", recipient["phone"]}};
    if (recipient.contains("email") && recipient["email"].is_string() && std::regex_match(recipient["email"].get<std::string>(), email))
        return {{"email", recipient["email"]}};
    throw sdk::Error::invalid("notify.bad_recipient", "recipient must be {user_id}, a mainland mobile {phone} or an {email}");
}

nlohmann::json NotificationCenter::send(const std::string& plugin, std::int64_t project, const nlohmann::json& request) {
    if (!request.is_object() || !request.contains("template") || !request["template"].is_string())
        throw sdk::Error::invalid("notify.invalid", "a notification needs recipient, template and params");
    const std::string lang = request.contains("lang") && request["lang"] == "en" ? "en" : "zh-CN";
    const nlohmann::json params = request.contains("params") && request["params"].is_object() ? request["params"] : nlohmann::json::object();
    const nlohmann::json recipient = resolve(request.value("recipient", nlohmann::json()));
    const std::string name = request["template"];
    const nlohmann::json templateTexts = texts(plugin, name);
    const std::string rendered = render(name, templateTexts, lang, params);
    // What is stored and shown: the secret parameters masked.
    nlohmann::json shownParams = params;
    const nlohmann::json secretNames = templateTexts.value("secret", nlohmann::json::array());
    for (const auto& secret : secretNames)
        if (shownParams.contains(secret.get<std::string>())) shownParams[secret.get<std::string>()] = kMask;
    const std::string shown = secretNames.empty() ? rendered : render(name, templateTexts, lang, shownParams);
    // Who it is, for the rate limit: the user, else the address.
    const nlohmann::json who = recipient.contains("user_id") ? nlohmann::json{{"user_id", recipient["user_id"]}} : recipient;
    const std::string key = who.dump();
    const std::int64_t now = clock_.nowMs();

    nlohmann::json out = {{"deliveries", nlohmann::json::array()}};
    store_.transaction([&] {
        const auto lastMinute = store_.query("SELECT COUNT(*) AS n FROM kernel_notifications WHERE recipient_key = ? AND created_at > ?",
                                             {key, now - 60000})
                                    .rows[0]["n"]
                                    .get<std::int64_t>();
        const bool limited = lastMinute >= options_.perMinute;
        const std::int64_t id = store_.query("INSERT INTO kernel_notifications (project_id, plugin, template, recipient, recipient_key, lang, text, "
                                             "params, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                             {project, plugin, name, recipient.dump(), key, lang, shown, shownParams.dump(), now})
                                    .rows[0]["id"];
        out["id"] = id;
        if (!secretNames.empty()) {
            // Kept before the commit, so the delivery thread never sees the row without it (a
            // rolled-back one stays only until it is forgotten).
            std::lock_guard lock(mutex_);
            std::erase_if(secrets_, [now](const auto& entry) { return entry.second.forgetAt < now; });
            secrets_[id] = {rendered, params, now + kSecretKeptMs};
        }
        for (const auto& [channelName, channel] : channels_) {
            if (!channel->reaches(recipient)) continue;
            const std::string status = limited ? "rate_limited" : "pending";
            store_.query("INSERT INTO kernel_deliveries (notification_id, channel, status, next_attempt_at) VALUES (?, ?, ?, ?)",
                         {id, channelName, status, now});
            out["deliveries"].push_back({{"channel", channelName}, {"status", status}});
        }
        store_.afterCommit([this] {
            {
                std::lock_guard lock(mutex_);
                poked_ = true;
            }
            wake_.notify_all();
        });
    });
    return out;
}

nlohmann::json NotificationCenter::recent(std::int64_t project, int limit) {
    std::string sql = "SELECT id, project_id, plugin, template, recipient, lang, text, created_at FROM kernel_notifications";
    nlohmann::json params = nlohmann::json::array();
    if (project > 0) {
        sql += " WHERE project_id = ?";
        params.push_back(project);
    }
    sql += " ORDER BY id DESC LIMIT ?";
    params.push_back(std::clamp(limit, 1, 500));
    auto rows = store_.query(sql, params).rows;
    if (rows.empty()) return rows;
    // The deliveries of the whole page in one query, not one per notification.
    std::map<std::int64_t, nlohmann::json> deliveries;
    const auto newest = rows.front()["id"].get<std::int64_t>();
    const auto oldest = rows.back()["id"].get<std::int64_t>();
    auto found = store_.query("SELECT notification_id, channel, status, attempts, last_error, sent_at, next_attempt_at FROM kernel_deliveries "
                              "WHERE notification_id BETWEEN ? AND ? ORDER BY id",
                              {oldest, newest})
                     .rows;
    for (auto& d : found) {
        const std::int64_t of = d["notification_id"];
        d.erase("notification_id");
        deliveries[of].push_back(std::move(d));
    }
    for (auto& row : rows) {
        row["recipient"] = sdk::Json::parse(row["recipient"].get<std::string>());
        const auto it = deliveries.find(row["id"].get<std::int64_t>());
        row["deliveries"] = it == deliveries.end() ? nlohmann::json::array() : std::move(it->second);
    }
    return rows;
}

void NotificationCenter::start() {
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

void NotificationCenter::stop() {
    stopping_ = true;
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void NotificationCenter::run() {
    while (!stopping_) {
        nlohmann::json due;
        try {
            due = store_.query("SELECT d.id, d.channel, d.attempts, n.id AS notification_id, n.project_id, n.plugin, n.template, n.recipient, "
                               "n.lang, n.text, n.params FROM kernel_deliveries d JOIN kernel_notifications n ON n.id = d.notification_id "
                               "WHERE d.status = 'pending' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at LIMIT 50",
                               {clock_.nowMs()})
                      .rows;
        } catch (const std::exception& e) {
            Poco::Logger::get("notify").error("cannot read the deliveries: %s", std::string(e.what()));
        }
        for (const auto& delivery : due) {
            if (stopping_) return;
            attempt(delivery);
        }
        if (!due.empty()) continue;
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || poked_; });
        poked_ = false;
    }
}

void NotificationCenter::attempt(const nlohmann::json& delivery) {
    const auto it = channels_.find(delivery["channel"].get<std::string>());
    const std::int64_t id = delivery["id"];
    const int attempts = delivery["attempts"].get<int>() + 1;
    std::string error;
    NotificationChannel::Message message{delivery["notification_id"].get<std::int64_t>(), delivery["project_id"].get<std::int64_t>(),
                                         delivery["plugin"].get<std::string>(), delivery["template"].get<std::string>(),
                                         sdk::Json::parse(delivery["recipient"].get<std::string>()), delivery["lang"].get<std::string>(),
                                         delivery["text"].get<std::string>(), sdk::Json::parse(delivery["params"].get<std::string>()),
                                         delivery["text"].get<std::string>()};
    bool lost = false;
    {
        std::lock_guard lock(mutex_);
        const auto tmpl = templates_.find(message.templateName);
        if (tmpl != templates_.end() && tmpl->second.contains("secret")) {
            const auto secret = secrets_.find(message.id);
            lost = secret == secrets_.end();
            if (!lost) {
                message.text = secret->second.text;
                message.params = secret->second.params;
            }
        }
    }
    if (it == channels_.end()) {
        error = "the channel is no longer configured";
    } else if (lost) {
        error = "the message held a secret kept in memory only, lost in a restart";
    } else {
        try {
            it->second->deliver(message);
        } catch (const std::exception& e) {
            error = e.what();
            if (error.empty()) error = "the channel failed";
        }
    }
    const std::int64_t now = clock_.nowMs();
    try {
        if (error.empty()) {
            store_.query("UPDATE kernel_deliveries SET status = 'sent', attempts = ?, sent_at = ?, last_error = NULL WHERE id = ?", {attempts, now, id});
        } else if (attempts >= static_cast<int>(kBackoffMs.size()) || it == channels_.end() || lost) {
            store_.query("UPDATE kernel_deliveries SET status = 'failed', attempts = ?, last_error = ? WHERE id = ?", {attempts, error, id});
            Poco::Logger::get("notify").error("delivery %Ld failed for good after %d attempts: %s", id, attempts, error);
        } else {
            store_.query("UPDATE kernel_deliveries SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
                         {attempts, error, now + kBackoffMs[static_cast<std::size_t>(attempts - 1)], id});
        }
    } catch (const std::exception& e) {
        Poco::Logger::get("notify").error("cannot record delivery %Ld: %s", id, std::string(e.what()));
    }
}

} // namespace anchang
