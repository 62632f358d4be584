// Channel reporting through the HTTP API of a real anchangd with core, registration and channel
// and the demo project: a broker reports, the desk registers the visitor with the code, the
// report is confirmed and the broker hears of it at once; the code's picture is the agent's only.
#include "support/DemoProject.h"
#include "support/EventStream.h"
#include "support/Eventually.h"
#include "support/WebhookReceiver.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <regex>

using namespace anchang::test;

namespace {

class Channel : public DemoProject {
protected:
    void configure(KernelProcess::Options& o) override {
        o.modules.push_back("channel");
        o.settings.push_back("plugins.channel.demo_seed=" + (KernelProcess::sourceDir() / "config/demo/channel.json").string());
    }
    nlohmann::json report(const std::string& agent, const std::string& phone, int status = 201) {
        auto r = api("POST", "/channel/reports", {{"customer_name", "渠道客户"}, {"phone", phone}, {"expected_visit_at", nowMs() + 3 * 3600 * 1000}}, agent);
        EXPECT_EQ(r.status, status) << r.body;
        return r.json();
    }
    /// The agency API's signature, as docs/channel-agency-api.yaml tells a client to make it.
    static std::string sign(const std::string& secret, const std::string& path, const std::string& timestamp, const std::string& nonce,
                            const std::string& body) {
        auto hex = [](const unsigned char* d, unsigned n) {
            std::string out;
            char b[3];
            for (unsigned i = 0; i < n; ++i) {
                std::snprintf(b, sizeof b, "%02x", d[i]);
                out += b;
            }
            return out;
        };
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        EVP_Digest(body.data(), body.size(), digest, &n, EVP_sha256(), nullptr);
        const std::string message = "POST\n" + path + "\n" + timestamp + "\n" + nonce + "\n" + hex(digest, n);
        HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &n);
        return hex(digest, n);
    }
    HttpResult agency(const nlohmann::json& key, const nlohmann::json& body, const std::string& nonce, std::int64_t at = nowMs(),
                      const std::string& secret = "") {
        const std::string path = "/api/v1/projects/1/channel/agency/reports";
        const std::string text = body.dump();
        const std::string timestamp = std::to_string(at);
        return http(kernel->port(), "POST", path, text, "",
                    {{"X-Anchang-Key", key["key_id"].get<std::string>()},
                     {"X-Anchang-Timestamp", timestamp},
                     {"X-Anchang-Nonce", nonce},
                     {"X-Anchang-Signature", sign(secret.empty() ? key["secret"].get<std::string>() : secret, path, timestamp, nonce, text)}});
    }
    std::string agentToken() { return login(kernel->port(), "agent1"); }
    static std::int64_t nowMs() {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    }
};

} // namespace

TEST_F(Channel, ABrokersReportIsConfirmedAtTheDeskAndTheBrokerHearsAtOnce) {
    const std::string agent1 = login(kernel->port(), "agent1");
    const auto reported = report(agent1, "138****6601");
    ASSERT_TRUE(reported.contains("code"));
    EXPECT_EQ(reported["company_name"], "链家·滨江");
    EventStream portal(kernel->port(), 1, "channel.report", agent1);

    // At the desk: the full phone, the code the broker shows.
    auto visit = api("POST", "/visits",
                     {{"phone", "13812346601"}, {"name", "渠道客户"}, {"questionnaire", {{"layout", "三室"}}}, {"extensions", {{"channel", {{"code", reported["code"]}}}}}});
    ASSERT_EQ(visit.status, 201) << visit.body;
    EXPECT_EQ(visit.json()["checks"]["channel"]["status"], "passed") << visit.body;
    EXPECT_EQ(visit.json()["customer"]["source"], "channel");

    const auto pushed = portal.next("channel.report");
    ASSERT_TRUE(pushed) << portal.received();
    EXPECT_EQ((*pushed)["event"], "visited");
    const auto mine = api("GET", "/channel/reports/mine", nullptr, agent1).json()["reports"][0];
    EXPECT_EQ(mine["status"], "visited");
    EXPECT_EQ(mine["visit_id"], visit.json()["visit"]["id"]);

    // The site sees the report; the code's picture is its agent's alone.
    EXPECT_EQ(api("GET", "/channel/reports", nullptr, manager).json()["reports"][0]["status"], "visited");
    auto qr = api("GET", "/channel/reports/" + reported["id"].dump() + "/qr.svg", nullptr, agent1);
    EXPECT_EQ(qr.status, 200);
    EXPECT_EQ(qr.body.rfind("<svg", 0), 0u);
    EXPECT_EQ(api("GET", "/channel/reports/" + reported["id"].dump() + "/qr.svg", nullptr, login(kernel->port(), "agent2")).status, 404);
    EXPECT_EQ(api("GET", "/channel/reports", nullptr, agent1).status, 403); // a broker sees their own only
}

TEST_F(Channel, RefusalsAndTheDesksWarnings) {
    const std::string agent1 = login(kernel->port(), "agent1");
    const std::string agent2 = login(kernel->port(), "agent2");
    // 赵先生 is the site's customer: 开发商保护.
    auto refused = report(agent1, "13911110001", 422);
    EXPECT_EQ(refused["error"]["reason"], "site_customer");
    EXPECT_EQ(report(agent2, "138****6602", 422)["error"]["reason"], "hidden_format"); // 全民经纪人 reports full numbers
    auto tooSoon = api("POST", "/channel/reports", {{"customer_name", "x"}, {"phone", "13812346603"}, {"expected_visit_at", nowMs()}}, agent1);
    EXPECT_EQ(tooSoon.json()["error"]["reason"], "too_soon");
    // Hostile and malformed input is a clear 400, never a 500.
    for (const auto& body : {nlohmann::json{{"customer_name", std::string(5000, 'x')}, {"phone", "13812346604"}, {"expected_visit_at", nowMs() + 9e6}},
                             nlohmann::json{{"customer_name", "x"}, {"phone", 13812346604}, {"expected_visit_at", nowMs() + 9e6}},
                             nlohmann::json{{"customer_name", "x"}, {"phone", "13812346604"}, {"expected_visit_at", "tomorrow"}},
                             nlohmann::json::array()})
        EXPECT_EQ(api("POST", "/channel/reports", body, agent1).status, 400) << body.dump();
    EXPECT_EQ(report(desk, "13812346605", 403).is_object(), true); // the desk is no broker

    // A reported visitor who comes without the code: the desk is warned, nothing is confirmed.
    report(agent1, "13812346606");
    auto walkIn = api("POST", "/visits", {{"phone", "13812346606"}, {"name", "自己来的"}, {"questionnaire", {{"layout", "三室"}}}});
    EXPECT_EQ(walkIn.json()["checks"]["channel"]["status"], "warning");
    EXPECT_EQ(walkIn.json()["checks"]["channel"]["detail"]["reason"], "reported_without_code");
    // A code that is not one.
    auto forged = api("POST", "/visits", {{"phone", "13812346607"}, {"name", "伪造"}, {"questionnaire", {{"layout", "三室"}}},
                                          {"extensions", {{"channel", {{"code", "7K2Q-9XQ4-ABCD-EFGH"}}}}}});
    EXPECT_EQ(forged.json()["checks"]["channel"]["detail"]["reason"], "code_invalid");
    EXPECT_EQ(forged.json()["customer"]["source"], "natural");
}

TEST_F(Channel, AnAgencysSystemReportsWithSignedRequestsAndReplaysAreRefused) {
    const auto companies = api("GET", "/channel/companies", nullptr, manager).json()["companies"];
    const auto lianjia = companies[0]["id"].dump();
    auto created = api("POST", "/channel/companies/" + lianjia + "/api-keys", nlohmann::json::object(), manager);
    ASSERT_EQ(created.status, 201) << created.body;
    const auto key = created.json();
    EXPECT_FALSE(api("GET", "/channel/companies/" + lianjia + "/api-keys", nullptr, manager).json()["keys"][0].contains("secret"));
    const nlohmann::json body = {{"agent", {{"phone", "13900000001"}}}, {"customer_name", "机构客户"}, {"phone", "13812346611"},
                                 {"expected_visit_at", nowMs() + 3 * 3600 * 1000}};

    auto accepted = agency(key, body, "nonce-0000000000000001");
    ASSERT_EQ(accepted.status, 201) << accepted.body;
    EXPECT_EQ(accepted.json()["agent_name"], "何军");
    EXPECT_TRUE(accepted.json().contains("code"));
    // The same request again (a replay): refused before anything is looked at.
    EXPECT_EQ(agency(key, body, "nonce-0000000000000001").errorCode(), "channel.api_replayed");
    // Same rules as the portal: the customer is protected now.
    EXPECT_EQ(agency(key, body, "nonce-0000000000000002").json()["error"]["reason"], "duplicate");
    // A stale or future timestamp, a wrong secret, no signature, an agent of another company.
    EXPECT_EQ(agency(key, body, "nonce-0000000000000003", nowMs() - 6 * 60 * 1000).errorCode(), "channel.api_stale");
    EXPECT_EQ(agency(key, body, "nonce-0000000000000004", nowMs() + 6 * 60 * 1000).errorCode(), "channel.api_stale");
    EXPECT_EQ(agency(key, body, "nonce-0000000000000005", nowMs(), std::string(64, 'f')).errorCode(), "channel.api_bad_signature");
    EXPECT_EQ(agency(key, body, "short").errorCode(), "channel.api_bad_nonce");
    EXPECT_EQ(http(kernel->port(), "POST", "/api/v1/projects/1/channel/agency/reports", body.dump(), "").errorCode(), "channel.api_unsigned");
    auto stranger = body;
    stranger["agent"]["phone"] = "13900000002"; // 全民经纪人's agent, not 链家's
    stranger["phone"] = "13812346612";
    EXPECT_EQ(agency(key, stranger, "nonce-0000000000000006").errorCode(), "channel.agent_unknown");
    // A revoked key signs nothing.
    ASSERT_EQ(api("POST", "/channel/companies/" + lianjia + "/api-keys/" + key["key_id"].get<std::string>() + "/revoke", nlohmann::json::object(), manager).status,
              204);
    auto again = body;
    again["phone"] = "13812346613";
    EXPECT_EQ(agency(key, again, "nonce-0000000000000007").errorCode(), "channel.api_revoked");
    EXPECT_EQ(api("POST", "/channel/companies/" + lianjia + "/api-keys", nlohmann::json::object(), agentToken()).status, 403);
}

namespace {

// With a webhook receiver as the SMS gateway, to read the one-time codes the kernel texts.
class ChannelSignUp : public Channel {
protected:
    void configure(KernelProcess::Options& o) override {
        Channel::configure(o);
        o.settings.push_back("notify.channels=log,webhook");
        o.settings.push_back("notify.webhook.url=http://127.0.0.1:" + std::to_string(hook.port()) + "/sms");
        o.settings.push_back("notify.webhook.secret=a-shared-webhook-secret");
    }
    std::string codeSentTo(const std::string& phone) {
        std::string code;
        EXPECT_TRUE(eventually([&] {
            for (const auto& hit : hook.hits()) {
                const auto body = nlohmann::json::parse(hit.body);
                const std::string text = body["text"];
                std::smatch digits;
                if (body["recipient"]["phone"] == phone && std::regex_search(text, digits, std::regex("[0-9]{6}"))) code = digits[0];
            }
            return !code.empty();
        }));
        return code;
    }
    WebhookReceiver hook;
};

} // namespace

TEST_F(ChannelSignUp, AFriendAConsultantRecruitedSignsInWithTheirPhoneJoinsAndReports) {
    const std::string consultant = login(kernel->port(), "consultant3");
    const auto recruiter = api("GET", "/channel/recruit", nullptr, consultant).json();
    EXPECT_EQ(recruiter["recruited"], 0);
    const nlohmann::json asking = {{"phone", "13711112222"}, {"project_id", 1}, {"role", "everyone_broker"}};
    ASSERT_EQ(http(kernel->port(), "POST", "/api/v1/auth/code", asking.dump()).status, 202);
    auto verifying = asking;
    verifying["code"] = codeSentTo("13711112222");
    auto signedIn = http(kernel->port(), "POST", "/api/v1/auth/code/verify", verifying.dump());
    ASSERT_EQ(signedIn.status, 200) << signedIn.body;
    const std::string broker = signedIn.json()["token"];

    EXPECT_EQ(api("GET", "/channel/reports/mine", nullptr, broker).errorCode(), "channel.not_agent");
    auto joined = api("POST", "/channel/agents/enrol", {{"ref", recruiter["consultant_id"]}}, broker);
    ASSERT_EQ(joined.status, 200) << joined.body;
    EXPECT_EQ(api("POST", "/channel/agents/enrol", {{"ref", recruiter["consultant_id"]}}, broker).json()["agent"]["id"], joined.json()["agent"]["id"]);
    EXPECT_EQ(report(broker, "13812346621")["company_name"], "全民经纪人");
    EXPECT_EQ(api("GET", "/channel/recruit", nullptr, consultant).json()["recruited"], 1);
    // A staff agent does not join by themselves, and the QR is a web address's only.
    EXPECT_EQ(api("POST", "/channel/agents/enrol", nlohmann::json::object(), login(kernel->port(), "agent1")).errorCode(), "channel.not_everyone_broker");
    EXPECT_EQ(api("GET", "/channel/recruit/qr.svg?text=javascript:alert(1)", nullptr, consultant).status, 400);
    EXPECT_EQ(api("GET", "/channel/recruit/qr.svg?text=http%3A%2F%2Fsite%2Fsign-in", nullptr, consultant).status, 200);
}
