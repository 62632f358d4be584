// Channel reporting through the HTTP API of a real anchangd with core, registration and channel
// and the demo project: a broker reports, the desk registers the visitor with the code, the
// report is confirmed and the broker hears of it at once; the code's picture is the agent's only.
#include "support/DemoProject.h"
#include "support/EventStream.h"
#include "support/Eventually.h"

#include <gtest/gtest.h>

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
