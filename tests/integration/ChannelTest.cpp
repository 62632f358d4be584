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
#include <set>

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
                      const std::string& secret = "", const std::string& what = "reports") {
        const std::string path = "/api/v1/projects/1/channel/agency/" + what;
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
    EXPECT_EQ(api("GET", "/channel/qr.svg?text=javascript:alert(1)", nullptr, consultant).status, 400);
    EXPECT_EQ(api("GET", "/channel/qr.svg?text=http%3A%2F%2Fsite%2Fsign-in", nullptr, consultant).status, 200);
}

TEST_F(ChannelSignUp, ACompanyThatChecksByTextReportsOnlyWithTheCodeTheCustomerReceived) {
    const auto lianjia = api("GET", "/channel/companies", nullptr, manager).json()["companies"][0]["id"].dump();
    ASSERT_EQ(api("PATCH", "/channel/companies/" + lianjia, {{"sms_check", true}}, manager).status, 200);
    const std::string agent1 = login(kernel->port(), "agent1");
    const nlohmann::json body = {{"customer_name", "短信客户"}, {"phone", "13812346631"}, {"expected_visit_at", nowMs() + 3 * 3600 * 1000}};

    EXPECT_EQ(api("POST", "/channel/reports", body, agent1).errorCode(), "channel.sms_code_required");
    const auto sent = api("POST", "/channel/reports/sms-code", {{"phone", "13812346631"}}, agent1);
    ASSERT_EQ(sent.status, 202) << sent.body;
    EXPECT_EQ(sent.json()["expires_in"], 300);
    // One text a minute per phone, as for sign-in codes.
    EXPECT_EQ(api("POST", "/channel/reports/sms-code", {{"phone", "13812346631"}}, agent1).status, 429);
    const std::string code = codeSentTo("13812346631");
    auto wrong = body;
    wrong["sms_code"] = code == "000000" ? "111111" : "000000";
    EXPECT_EQ(api("POST", "/channel/reports", wrong, agent1).errorCode(), "channel.sms_code_wrong");
    auto right = body;
    right["sms_code"] = code;
    const auto accepted = api("POST", "/channel/reports", right, agent1);
    ASSERT_EQ(accepted.status, 201) << accepted.body;
    // Spent: the same code does not report again (and would be a duplicate anyway).
    EXPECT_EQ(api("POST", "/channel/reports", right, agent1).errorCode(), "channel.sms_code_wrong");
    // The record the site keeps masks the code.
    const auto notes = http(kernel->port(), "GET", "/api/v1/notifications", "", login(kernel->port(), "admin"));
    ASSERT_EQ(notes.status, 200);
    EXPECT_NE(notes.body.find("channel.report_sms_check"), std::string::npos);
    EXPECT_EQ(notes.body.find(code), std::string::npos);
    // An agency's system asks for the text the same way, signed.
    const auto key = api("POST", "/channel/companies/" + lianjia + "/api-keys", nlohmann::json::object(), manager).json();
    const auto texted = agency(key, {{"agent", {{"phone", "13900000001"}}}, {"phone", "13812346633"}}, "nonce-sms-000000000001", nowMs(), "", "sms-code");
    EXPECT_EQ(texted.status, 202) << texted.body;
    EXPECT_FALSE(codeSentTo("13812346633").empty());
    // A company without the check does not text.
    EXPECT_EQ(api("POST", "/channel/reports/sms-code", {{"phone", "13812346632"}}, login(kernel->port(), "agent2")).errorCode(),
              "channel.sms_not_required");
}

TEST_F(ChannelSignUp, ACompanysAdminNamesItsBrokersWhoJoinThroughItsLinkAndReadsItsStatement) {
    const auto agents = api("GET", "/channel/agents", nullptr, manager).json()["agents"];
    const auto admin = std::find_if(agents.begin(), agents.end(), [](const auto& a) { return a["company_name"] == "链家·滨江"; });
    ASSERT_NE(admin, agents.end());
    const std::string agent1 = login(kernel->port(), "agent1");
    EXPECT_EQ(api("GET", "/channel/my-company", nullptr, agent1).errorCode(), "channel.not_company_admin");
    const auto made = api("PATCH", "/channel/agents/" + (*admin)["id"].dump(), {{"company_admin", true}}, manager);
    ASSERT_EQ(made.status, 200) << made.body;
    EXPECT_EQ(made.json()["company_admin"], true);

    auto side = api("GET", "/channel/my-company", nullptr, agent1).json();
    ASSERT_EQ(side["companies"].size(), 1u);
    const std::string link = side["companies"][0]["link"];
    EXPECT_EQ(api("GET", "/channel/companies/" + side["companies"][0]["id"].dump() + "/link", nullptr, manager).json()["link"], link);
    ASSERT_EQ(api("POST", "/channel/my-company/roster", {{"phone", "137 1111 3333"}, {"name", "李经纪"}, {"store", "滨江二店"}}, agent1).status, 201);
    EXPECT_EQ(api("POST", "/channel/my-company/roster", {{"phone", "13711113333"}, {"name", "重复"}}, agent1).errorCode(), "channel.phone_taken");
    EXPECT_EQ(api("POST", "/channel/my-company/roster", {{"phone", "13900000002"}, {"name", "别家的"}}, agent1).errorCode(), "channel.phone_taken");

    // The named broker signs in with their phone and joins through the link; a stranger does not.
    auto signIn = [&](const std::string& phone) {
        const nlohmann::json asking = {{"phone", phone}, {"project_id", 1}, {"role", "agency_broker"}};
        EXPECT_EQ(http(kernel->port(), "POST", "/api/v1/auth/code", asking.dump()).status, 202);
        auto verifying = asking;
        verifying["code"] = codeSentTo(phone);
        return http(kernel->port(), "POST", "/api/v1/auth/code/verify", verifying.dump()).json()["token"].get<std::string>();
    };
    const std::string li = signIn("13711113333");
    EXPECT_EQ(api("POST", "/channel/agents/enrol", {{"join", "AAAA-BBBB-CCCC-DDDD"}}, li).errorCode(), "channel.link_invalid");
    const auto joined = api("POST", "/channel/agents/enrol", {{"join", link}}, li);
    ASSERT_EQ(joined.status, 200) << joined.body;
    EXPECT_EQ(joined.json()["agent"]["name"], "李经纪");
    const auto liReport = report(li, "13812346641");
    EXPECT_EQ(liReport["company_name"], "链家·滨江");
    const std::string stranger = signIn("13711114444");
    EXPECT_EQ(api("POST", "/channel/agents/enrol", {{"join", link}}, stranger).errorCode(), "channel.not_on_roster");
    EXPECT_EQ(api("GET", "/channel/my-company", nullptr, li).errorCode(), "channel.not_company_admin");

    // The admin suspends their broker; another company's agent is not theirs to touch.
    side = api("GET", "/channel/my-company", nullptr, agent1).json();
    EXPECT_EQ(side["roster"][0]["joined"], true);
    const auto liAgent = std::find_if(side["agents"].begin(), side["agents"].end(), [](const auto& a) { return a["name"] == "李经纪"; });
    ASSERT_NE(liAgent, side["agents"].end());
    EXPECT_EQ(api("PATCH", "/channel/my-company/agents/" + (*liAgent)["id"].dump(), {{"active", false}}, agent1).json()["active"], false);
    EXPECT_EQ(report(li, "13812346642", 422)["error"]["reason"], "agent_inactive");
    const auto other = std::find_if(agents.begin(), agents.end(), [](const auto& a) { return a["company_name"] != "链家·滨江"; });
    EXPECT_EQ(api("PATCH", "/channel/my-company/agents/" + (*other)["id"].dump(), {{"active", false}}, agent1).errorCode(), "channel.agent_not_found");

    // The statement: Li's customer came and subscribed inside the window.
    auto came = api("POST", "/visits", {{"phone", "13812346641"}, {"name", "渠道客户"}, {"questionnaire", {{"layout", "三室"}}}, {"extensions", {{"channel", {{"code", liReport["code"]}}}}}});
    ASSERT_EQ(came.status, 201) << came.body;
    const auto units = api("GET", "/units?status=available", nullptr, manager).json()["units"];
    ASSERT_FALSE(units.empty());
    const auto deal = api("POST", "/deals", {{"customer_id", came.json()["customer"]["id"]}, {"unit_id", units[0]["id"]}, {"amount", 50000}}, manager);
    ASSERT_EQ(deal.status, 201) << deal.body;
    const std::string period = "from=" + std::to_string(nowMs() - 3600 * 1000) + "&to=" + std::to_string(nowMs() + 3600 * 1000);
    nlohmann::json statement;
    ASSERT_TRUE(eventually([&] {
        statement = api("GET", "/channel/my-company/statement?" + period, nullptr, agent1).json();
        return statement["confirmed"].size() == 1;
    })) << statement;
    EXPECT_EQ(statement["confirmed"][0]["agent_name"], "李经纪");
    EXPECT_EQ(statement["confirmed"][0]["store"], "滨江二店");
    EXPECT_EQ(statement["companies"][0]["deals"], 1);
    const auto csv = api("GET", "/channel/my-company/statement?format=csv&" + period, nullptr, agent1);
    EXPECT_NE(csv.body.find("李经纪,滨江二店,渠道客户"), std::string::npos) << csv.body;
    EXPECT_EQ(api("GET", "/channel/my-company/statement?" + period, nullptr, login(kernel->port(), "agent2")).errorCode(), "channel.not_company_admin");
}

TEST_F(Channel, ACollisionRulingMovesTheCustomersChannelInCore) {
    const auto first = report(login(kernel->port(), "agent1"), "138****6651"); // 链家·滨江, first
    const std::string agent2 = login(kernel->port(), "agent2");
    const auto second = report(agent2, "13812346651"); // 全民经纪人, later, and brings the visitor
    auto came = api("POST", "/visits", {{"phone", "13812346651"}, {"name", "渠道客户"}, {"questionnaire", {{"layout", "三室"}}},
                                        {"extensions", {{"channel", {{"code", second["code"]}}}}}});
    ASSERT_EQ(came.status, 201) << came.body;
    const auto customer = came.json()["customer"]["id"].dump();
    nlohmann::json ruled;
    ASSERT_TRUE(eventually([&] {
        ruled = api("GET", "/channel/collisions", nullptr, manager).json()["collisions"];
        return ruled.size() == 1;
    }));
    EXPECT_EQ(ruled[0]["winner_report_id"], first["id"]);
    nlohmann::json inCore;
    EXPECT_TRUE(eventually([&] {
        inCore = api("GET", "/customers/" + customer, nullptr, manager).json();
        return inCore.value("channel", nlohmann::json(nullptr)) == "链家·滨江";
    })) << inCore;
    // The manager gives it to the channel that brought the visitor: core follows, audited.
    ASSERT_EQ(api("POST", "/channel/collisions/" + ruled[0]["id"].dump() + "/decide", {{"winner_report_id", second["id"]}, {"note", "现场带看为准"}}, manager).status,
              200);
    EXPECT_EQ(api("GET", "/customers/" + customer, nullptr, manager).json()["channel"], "全民经纪人");

    // The customer's timeline: registration's visit and each module's word, newest first.
    const auto timeline = api("GET", "/customers/" + customer + "/timeline", nullptr, manager).json();
    std::set<std::string> kinds;
    for (const auto& e : timeline["entries"]) kinds.insert(e["module"].get<std::string>() + ":" + e["kind"].get<std::string>());
    EXPECT_TRUE(kinds.count("registration:visit")) << timeline;
    EXPECT_TRUE(kinds.count("channel:report.visited")) << timeline; // the winner's, after the decision
    EXPECT_TRUE(kinds.count("channel:report.rejected")) << timeline; // the loser's
    EXPECT_TRUE(timeline["missing"].empty());
    // A consultant who does not own the customer does not see it.
    EXPECT_EQ(api("GET", "/customers/" + customer + "/timeline", nullptr, login(kernel->port(), "consultant3")).status, 404);
}
