// kernel.notify through a real anchangd: the herald fixture module sends with its template;
// the kernel renders it, delivers it through a signed webhook (a receiver in this process) and
// e-mail (an SMTP sink in this process), retries a failed attempt with back-off on the test
// clock, and limits what one recipient gets in a minute. Registration tells the receiver.
#include "crypto/Hmac.h"
#include "support/DemoProject.h"
#include "support/Eventually.h"
#include "support/SmtpSink.h"
#include "support/WebhookReceiver.h"

#include <gtest/gtest.h>

using namespace anchang::test;

namespace {

const std::string kSecret = "a-shared-webhook-secret";

class Notifications : public DemoProject {
protected:
    void configure(KernelProcess::Options& options) override {
        options.alsoPlugins = {KernelProcess::binaryDir() / "module-fixtures" / "herald"};
        for (const std::string& setting : std::vector<std::string>{
                 "test.clock=true", "notify.channels=log,webhook,email", "notify.webhook.url=http://127.0.0.1:" + std::to_string(hook.port()) + "/hook",
              "notify.webhook.secret=" + kSecret, "notify.smtp.host=127.0.0.1", "notify.smtp.port=" + std::to_string(smtp.port()),
              "notify.smtp.from=desk@anchang.example", "notify.perMinute=5"})
            options.settings.push_back(setting);
    }
    void SetUp() override {
        DemoProject::SetUp();
        admin = login(kernel->port(), "admin");
    }
    HttpResult herald(const nlohmann::json& body) { return api("POST", "/herald", body, manager); }
    nlohmann::json notifications() {
        return http(kernel->port(), "GET", "/api/v1/notifications", "", admin).json()["notifications"];
    }
    /// The delivery of the newest notification over `channel`.
    nlohmann::json delivery(const std::string& channel, std::size_t newest = 0) {
        const auto all = notifications();
        if (all.size() <= newest) return nullptr;
        for (const auto& d : all[newest]["deliveries"])
            if (d["channel"] == channel) return d;
        return nullptr;
    }

    WebhookReceiver hook;
    SmtpSink smtp;
    std::string admin;
};

const nlohmann::json kGreeting = {{"recipient", {{"email", "buyer@example.com"}}}, {"template", "herald.greeting"}, {"params", {{"name", "王先生"}}}};

} // namespace

TEST_F(Notifications, AMessageGoesOutSignedThroughTheWebhookAndByMail) {
    const auto sent = herald(kGreeting);
    ASSERT_EQ(sent.status, 200) << sent.body;
    EXPECT_EQ(sent.json()["deliveries"].size(), 3u); // email, log, webhook (no push: not a user)

    ASSERT_TRUE(eventually([&] { return hook.hits().size() == 1; }));
    const auto hit = hook.hits()[0];
    // The receiver can check who sent it, and when.
    EXPECT_EQ(hit.headers.at("X-Anchang-Signature"), "sha256=" + anchang::Hmac::sha256Hex(kSecret, hit.headers.at("X-Anchang-Timestamp") + "." + hit.body));
    const auto body = nlohmann::json::parse(hit.body);
    EXPECT_EQ(body["text"], "王先生，欢迎来到安畅·滨江壹号");
    EXPECT_EQ(body["template"], "herald.greeting");
    EXPECT_EQ(body["params"]["name"], "王先生");

    ASSERT_TRUE(eventually([&] { return smtp.mails().size() == 1; }));
    EXPECT_EQ(smtp.mails()[0].to[0], "<buyer@example.com>");
    EXPECT_NE(smtp.mails()[0].data.find("王先生，欢迎来到安畅·滨江壹号"), std::string::npos);
    ASSERT_TRUE(eventually([&] { return delivery("email")["status"] == "sent" && delivery("webhook")["status"] == "sent"; }));
    EXPECT_EQ(delivery("log")["status"], "sent");

    // English on request.
    auto english = kGreeting;
    english["lang"] = "en";
    ASSERT_EQ(herald(english).status, 200);
    ASSERT_TRUE(eventually([&] { return hook.hits().size() == 2; }));
    EXPECT_EQ(nlohmann::json::parse(hook.hits()[1].body)["text"], "王先生, welcome to Anchang Riverside One");
}

TEST_F(Notifications, AFailedAttemptIsRetriedWithBackOffOnTheKernelsClock) {
    hook.answerWith({500, 503});
    ASSERT_EQ(herald(kGreeting).status, 200);
    ASSERT_TRUE(eventually([&] { return delivery("webhook")["attempts"] == 1; }));
    EXPECT_EQ(delivery("webhook")["status"], "pending");
    EXPECT_EQ(delivery("webhook")["last_error"], "the webhook answered HTTP 500");

    ASSERT_EQ(http(kernel->port(), "POST", "/api/v1/test/clock/advance", R"({"ms":1000})", admin).status, 200); // the first back-off
    ASSERT_TRUE(eventually([&] { return delivery("webhook")["attempts"] == 2; }));
    EXPECT_EQ(delivery("webhook")["status"], "pending");
    ASSERT_EQ(http(kernel->port(), "POST", "/api/v1/test/clock/advance", R"({"ms":5000})", admin).status, 200); // the second
    ASSERT_TRUE(eventually([&] { return delivery("webhook")["status"] == "sent"; }));
    EXPECT_EQ(delivery("webhook")["attempts"], 3);
    EXPECT_EQ(hook.hits().size(), 3u);
    EXPECT_EQ(delivery("email")["attempts"], 1); // the other channels were not held up
}

TEST_F(Notifications, OneRecipientGetsAtMostTheLimitInAMinute) {
    nlohmann::json toPhone = {{"recipient", {{"phone", "13900001111"}}}, {"template", "herald.greeting"}, {"params", {{"name", "李女士"}}}};
    for (int i = 0; i < 5; ++i) ASSERT_EQ(herald(toPhone).json()["deliveries"][0]["status"], "pending");
    const auto sixth = herald(toPhone).json();
    for (const auto& d : sixth["deliveries"]) EXPECT_EQ(d["status"], "rate_limited");
    toPhone["recipient"]["phone"] = "13900002222";
    EXPECT_EQ(herald(toPhone).json()["deliveries"][0]["status"], "pending"); // someone else is not held back
    ASSERT_EQ(http(kernel->port(), "POST", "/api/v1/test/clock/advance", R"({"ms":61000})", admin).status, 200);
    toPhone["recipient"]["phone"] = "13900001111";
    EXPECT_EQ(herald(toPhone).json()["deliveries"][0]["status"], "pending"); // a minute later
}

TEST_F(Notifications, RefusesAnotherModulesTemplateAMissingParameterAndABadRecipient) {
    auto other = kGreeting;
    other["template"] = "registration.visitor_new";
    EXPECT_EQ(herald(other).errorCode(), "notify.unknown_template");
    auto missing = kGreeting;
    missing["params"] = nlohmann::json::object();
    EXPECT_EQ(herald(missing).errorCode(), "notify.missing_param");
    for (const nlohmann::json& bad : {nlohmann::json{{"phone", "12345"}}, nlohmann::json{{"email", "not-an-address"}}, nlohmann::json{{"user_id", 99999}},
                                      nlohmann::json{{"user_id", "1"}}}) {
        auto wrong = kGreeting;
        wrong["recipient"] = bad;
        EXPECT_EQ(herald(wrong).errorCode(), "notify.bad_recipient") << bad.dump();
    }
    auto huge = kGreeting;
    huge["params"]["name"] = std::string(3000, 'x');
    EXPECT_EQ(herald(huge).errorCode(), "notify.too_long");
    EXPECT_EQ(http(kernel->port(), "GET", "/api/v1/notifications?limit=ten", "", admin).errorCode(), "request.invalid");
    EXPECT_EQ(http(kernel->port(), "GET", "/api/v1/notifications", "", manager).status, 403);
    EXPECT_TRUE(notifications().empty());
}

TEST_F(Notifications, TheConsultantWhoReceivesAVisitorIsToldInAppAndOffScreen) {
    visit("13800009999", "周先生");
    ASSERT_TRUE(eventually([&] { return !notifications().empty() && delivery("webhook")["status"] == "sent"; }));
    const auto told = notifications()[0];
    EXPECT_EQ(told["template"], "registration.visitor_new");
    EXPECT_TRUE(told["recipient"].contains("user_id"));
    EXPECT_NE(told["text"].get<std::string>().find("周先生"), std::string::npos);
    EXPECT_EQ(delivery("push")["status"], "sent");
    const auto body = nlohmann::json::parse(hook.hits().back().body);
    EXPECT_EQ(body["recipient"]["user_id"], told["recipient"]["user_id"]);
}
