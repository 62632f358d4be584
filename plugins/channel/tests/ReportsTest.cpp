// Reports on the SDK's test host: channel's own tables in memory, core and registration as fakes,
// the clock moved by the test — the refusals, the race for one phone, the desk's check and the
// confirmation a registered visit brings.
#include "Analytics.h"
#include "Companies.h"
#include "ReportCode.h"
#include "Reports.h"

#include <anchang/sdk/testing/TestHost.hpp>
#include <gtest/gtest.h>

using namespace anchang::channel;
using anchang::sdk::testing::TestHost;

namespace {

constexpr std::int64_t kHour = 3600 * 1000;
constexpr std::int64_t kDay = 24 * kHour;

struct ReportsTest : ::testing::Test {
    TestHost test{{.manifest = ANCHANG_CHANNEL_DIR "/plugin.json"}};
    Companies companies{test.host()};
    ReportCode codes{std::string(64, 's')};
    Collisions collisions{test.host(), "first_report"};
    Reports reports{test.host(), companies, codes, collisions};
    nlohmann::json known = nlohmann::json::object(); // phone -> core's customer
    nlohmann::json visits = nlohmann::json::array(); // what registration.visits.of_customer answers
    std::int64_t lianjia = 0, everyone = 0;

    void SetUp() override {
        test.migrate(ANCHANG_CHANNEL_DIR "/migrations");
        test.fake("core.customer.find", [this](const nlohmann::json& body, std::int64_t) {
            return nlohmann::json{{"customer", known.value(body["phone"].get<std::string>(), nlohmann::json(nullptr))}};
        });
        test.fake("registration.visits.of_customer", [this](const nlohmann::json&, std::int64_t) { return nlohmann::json{{"visits", visits}}; });
        test.fake("kernel.notify", [](const nlohmann::json&, std::int64_t) { return nlohmann::json{{"id", 1}, {"deliveries", nlohmann::json::array()}}; });
        lianjia = companies.create(1, {{"name", "链家"}, {"kind", "agency"}, {"hidden_formats", {"3-4"}}})["id"];
        everyone = companies.create(1, {{"name", "全民"}, {"kind", "everyone"}, {"protection_mode", "visit_deal"}, {"hidden_formats", nlohmann::json::array()}})["id"];
        companies.addAgent(1, {{"company_id", lianjia}, {"user_id", 101}, {"name", "何军"}, {"phone", "13900000001"}});
        companies.addAgent(1, {{"company_id", lianjia}, {"user_id", 102}, {"name", "赵强"}, {"phone", "13900000003"}});
        companies.addAgent(1, {{"company_id", everyone}, {"user_id", 103}, {"name", "马芳"}, {"phone", "13900000002"}});
    }
    std::pair<int, nlohmann::json> report(std::int64_t user, const std::string& phone, std::int64_t inMs = 2 * kHour) {
        return reports.submit(1, user, {{"customer_name", "王先生"}, {"phone", phone}, {"expected_visit_at", test.now() + inMs}}, false);
    }
    std::string refusal(const std::pair<int, nlohmann::json>& answer) {
        EXPECT_EQ(answer.first, 422) << answer.second.dump();
        return answer.second["error"].value("reason", std::string{});
    }
    nlohmann::json desk(const std::string& phone, const std::string& code) {
        return reports.check(1, {{"phone", phone}, {"name", "王先生"}, {"extension", {{"code", code}}}});
    }
};

} // namespace

TEST_F(ReportsTest, AnAcceptedReportHoldsItsCustomerForItsWindowWithACode) {
    const auto [status, accepted] = report(101, "13812345678");
    ASSERT_EQ(status, 201) << accepted.dump();
    EXPECT_EQ(accepted["status"], "reported");
    EXPECT_EQ(accepted["protected_until"], test.now() + 7 * kDay); // 带看保护: a week to bring them
    EXPECT_TRUE(accepted["code"].is_string());
    EXPECT_EQ(test.published().back().topic, "channel.report.created");
    test.advance(7 * kDay);
    EXPECT_EQ(reports.mine(1, 101)["reports"][0]["status"], "expired"); // on read, before the nightly job
    EXPECT_EQ(reports.expire(1), 1);
}

TEST_F(ReportsTest, EachRefusalSaysWhyAndIsKept) {
    EXPECT_EQ(refusal(report(101, "13812345678", 30 * 60 * 1000)), "too_soon"); // 60 minutes ahead at least
    const auto kept = reports.mine(1, 101)["reports"][0];
    EXPECT_EQ(kept["status"], "rejected");
    EXPECT_EQ(kept["reason"], "预计到访时间太近：需在报备后至少 60 分钟");
}

TEST_F(ReportsTest, BadInputIsA400NotARefusal) {
    EXPECT_THROW(report(101, "1381***5678"), anchang::sdk::Error);
    EXPECT_THROW(reports.submit(1, 101, {{"phone", "13812345678"}}, false), anchang::sdk::Error);
    EXPECT_THROW(reports.submit(1, 999, {{"customer_name", "x"}, {"phone", "13812345678"}, {"expected_visit_at", test.now() + kDay}}, false),
                 anchang::sdk::Error); // not an agent
}

TEST_F(ReportsTest, TheRulesOfTheAgentsCompany) {
    EXPECT_EQ(refusal(report(103, "138****5678")), "hidden_format"); // 全民经纪人 may not hide numbers
    EXPECT_EQ(report(101, "138****5678").first, 201);                // 链家 may, 前三后四
    EXPECT_EQ(refusal(report(101, "1381****678")), "hidden_format"); // but not 前四后三
    known["13800000009"] = {{"id", 5}, {"visits", 2}, {"owner_id", 4}, {"first_visit_at", 0}};
    EXPECT_EQ(refusal(report(101, "13800000009")), "site_customer"); // 开发商保护
    companies.update(1, lianjia, {{"active", false}});
    EXPECT_EQ(refusal(report(101, "13812340000")), "company_inactive");
    const auto mine = reports.mine(1, 101)["reports"];
    EXPECT_EQ(mine[0]["status"], "rejected");
    EXPECT_EQ(mine[0]["reason_code"], "company_inactive");
    EXPECT_FALSE(mine[0].contains("code")); // a refused report has no code to show
}

TEST_F(ReportsTest, ACompanyWithTheSmsCheckNeedsTheCodeTheCustomerReceived) {
    companies.update(1, lianjia, {{"sms_check", true}});
    nlohmann::json sent, checked = nlohmann::json::array();
    std::string result = "wrong";
    test.fake("kernel.phone_check.send", [&](const nlohmann::json& body, std::int64_t) {
        sent = body;
        return nlohmann::json{{"expires_in", 300}, {"resend_after", 60}};
    });
    test.fake("kernel.phone_check.verify", [&](const nlohmann::json& body, std::int64_t) {
        checked.push_back(body);
        return nlohmann::json{{"result", result}};
    });
    auto withCode = [&](const std::string& phone, const nlohmann::json& code) {
        nlohmann::json body = {{"customer_name", "王先生"}, {"phone", phone}, {"expected_visit_at", test.now() + 2 * kHour}};
        if (!code.is_null()) body["sms_code"] = code;
        return reports.submit(1, 101, body, false);
    };
    auto errorOf = [&](const std::function<void()>& f) {
        try {
            f();
        } catch (const anchang::sdk::Error& e) {
            return e.code();
        }
        return std::string("none");
    };

    // The code goes to the customer's full number, with who reports them.
    reports.sendSmsCheck(1, 101, {{"phone", "13812345678"}}, "10.0.0.9", false);
    EXPECT_EQ(sent["phone"], "13812345678");
    EXPECT_EQ(sent["template"], "channel.report_sms_check");
    EXPECT_EQ(sent["params"]["agent"], "何军");
    EXPECT_EQ(errorOf([&] { reports.sendSmsCheck(1, 101, {{"phone", "138****5678"}}, "", false); }), "channel.phone_invalid");
    EXPECT_EQ(errorOf([&] { reports.sendSmsCheck(1, 103, {{"phone", "13812345678"}}, "", false); }), "channel.sms_not_required");

    EXPECT_EQ(refusal(withCode("138****5678", nullptr)), "sms_full_phone"); // a hidden number cannot be texted
    EXPECT_EQ(errorOf([&] { withCode("13812345678", nullptr); }), "channel.sms_code_required");
    EXPECT_EQ(errorOf([&] { withCode("13812345678", "000000"); }), "channel.sms_code_wrong");
    result = "exhausted";
    EXPECT_EQ(errorOf([&] { withCode("13812345678", "000000"); }), "channel.sms_code_exhausted");
    EXPECT_TRUE(reports.mine(1, 101)["reports"].size() == 1u); // only the refusal by rule is kept
    // A customer the site has is refused by the rule, without spending the customer's code.
    known["13800000009"] = {{"id", 5}, {"visits", 1}, {"owner_id", nullptr}, {"first_visit_at", 0}};
    const auto tries = checked.size();
    EXPECT_EQ(refusal(withCode("13800000009", "123456")), "site_customer");
    EXPECT_EQ(checked.size(), tries);
    result = "accepted";
    const auto [status, accepted] = withCode("13812345678", "123456");
    EXPECT_EQ(status, 201) << accepted.dump();
    EXPECT_EQ(checked.back()["phone"], "13812345678");
}

TEST_F(ReportsTest, TwoChannelsOnOnePhoneTheFirstHoldsAndTheSecondIsToldWhy) {
    EXPECT_EQ(report(101, "13812345678").first, 201);
    EXPECT_EQ(refusal(report(101, "13812345678")), "duplicate");
    EXPECT_EQ(refusal(report(102, "13812345678")), "protected_other");
    test.advance(7 * kDay); // the first report's window passed: the customer is free again
    EXPECT_EQ(report(102, "13812345678").first, 201);
}

TEST_F(ReportsTest, TheDeskTakesAGenuineCodeForTheReportedPhoneOnly) {
    const auto accepted = report(101, "138****5678").second;
    const std::string code = accepted["code"];
    const auto passed = desk("13812345678", code);
    EXPECT_EQ(passed["status"], "passed") << passed.dump();
    EXPECT_EQ(passed["origin"]["source"], "channel");
    EXPECT_EQ(passed["detail"]["report_id"], accepted["id"]);
    EXPECT_EQ(desk("13912345678", code)["detail"]["reason"], "phone_mismatch");
    std::string forged = code;
    forged[0] = forged[0] == '1' ? '2' : '1';
    EXPECT_EQ(desk("13812345678", forged)["detail"]["reason"], "code_invalid");
    EXPECT_EQ(desk("13812345678", "not a code")["detail"]["reason"], "code_invalid");
    // Shown by an agent who is not its own.
    EXPECT_EQ(reports.check(1, {{"phone", "13812345678"}, {"name", "王先生"}, {"extension", {{"code", code}, {"agent_phone", "13900000003"}}}})["detail"]["reason"],
              "code_other_agent");
    // Without a code, the desk is told a channel's report protects this visitor.
    EXPECT_EQ(reports.check(1, {{"phone", "13812345678"}, {"name", "王先生"}})["detail"]["reason"], "reported_without_code");
    EXPECT_EQ(reports.check(1, {{"phone", "13700000000"}, {"name", "李女士"}})["status"], "skipped");
    test.advance(7 * kDay);
    EXPECT_EQ(desk("13812345678", code)["detail"]["reason"], "code_expired");
}

TEST_F(ReportsTest, ACustomerWhoCameBeforeTheReportIsTheSites) {
    const auto code = report(101, "13812345678").second["code"].get<std::string>();
    known["13812345678"] = {{"id", 5}, {"visits", 1}, {"owner_id", nullptr}, {"first_visit_at", test.now() - kDay}};
    EXPECT_EQ(desk("13812345678", code)["detail"]["reason"], "site_customer");
}

TEST_F(ReportsTest, TheRegisteredVisitConfirmsTheReportOnceAndStartsTheDealWindow) {
    const auto accepted = report(101, "13812345678").second;
    const auto check = desk("13812345678", accepted["code"]);
    test.advance(kHour);
    visits = {{{"id", 77}, {"status", "waiting"}, {"phone", "13812345678"}, {"registered_at", test.now()}, {"checks", {{"channel", check}}}}};
    reports.visitRegistered(1, {{"visit_id", 77}, {"customer_id", 5}});
    reports.visitRegistered(1, {{"visit_id", 77}, {"customer_id", 5}}); // delivered twice
    const auto confirmed = reports.mine(1, 101)["reports"][0];
    EXPECT_EQ(confirmed["status"], "visited");
    EXPECT_EQ(confirmed["customer_id"], 5);
    EXPECT_EQ(confirmed["protected_until"], test.now() + 30 * kDay);
    int visited = 0;
    for (const auto& e : test.published()) visited += e.topic == "channel.report.visited";
    EXPECT_EQ(visited, 1);
    // A subscription inside the window confirms the channel (确客).
    reports.subscribed(1, {{"deal_id", 9}, {"customer_id", 5}, {"unit_id", 3}});
    EXPECT_EQ(reports.mine(1, 101)["reports"][0]["status"], "subscribed");
}

TEST_F(ReportsTest, VisitFirstMeansAReportHoldsNobodyUntilTheVisit) {
    companies.update(1, lianjia, {{"protection_mode", "visit_deal"}});
    EXPECT_EQ(report(101, "13812345678").first, 201);
    EXPECT_EQ(report(102, "13812345678").first, 201); // 到访为王: both may report; the first to bring them wins
}

TEST_F(ReportsTest, TwoChannelsOnOneVisitorTheFirstReportWinsAndTheLoserMayAppealOnce) {
    companies.update(1, lianjia, {{"protection_mode", "visit_deal"}});
    nlohmann::json origins = nlohmann::json::array(); // what core is told of the customer's channel
    test.fake("core.customer.set_origin", [&](const nlohmann::json& body, std::int64_t) {
        origins.push_back(body);
        return nlohmann::json{{"customer", nlohmann::json::object()}};
    });
    const auto first = report(101, "13812345678").second; // 何军 reports first
    test.advance(kHour);
    const auto second = report(103, "13812345678").second; // 马芳 (全民) reports later, and brings the visitor
    const auto check = desk("13812345678", second["code"]);
    ASSERT_EQ(check["status"], "passed");
    visits = {{{"id", 78}, {"number", 3}, {"status", "waiting"}, {"phone", "13812345678"}, {"registered_at", test.now()}, {"receiver_name", "张伟"},
               {"checks", {{"channel", check}}}}};
    reports.visitRegistered(1, {{"visit_id", 78}, {"customer_id", 6}});

    const auto ruled = collisions.list(1, std::nullopt);
    ASSERT_EQ(ruled.size(), 1u);
    EXPECT_EQ(ruled[0]["kind"], "channels");
    EXPECT_EQ(ruled[0]["rule"], "first_report");
    EXPECT_EQ(ruled[0]["winner_report_id"], first["id"]);
    EXPECT_EQ(ruled[0]["evidence"]["visits"][0]["number"], 3); // the evidence keeps the visit
    EXPECT_EQ(ruled[0]["evidence"]["reports"].size(), 2u);
    const auto winner = reports.mine(1, 101)["reports"][0];
    EXPECT_EQ(winner["status"], "visited"); // the first report holds the visit now
    EXPECT_EQ(winner["visit_id"], 78);
    const auto loser = reports.mine(1, 103)["reports"][0];
    EXPECT_EQ(loser["status"], "rejected");
    EXPECT_EQ(loser["reason_code"], "collision_lost");
    // The visit came with 全民's code; the ruling gives the customer to 链家 in core too.
    ASSERT_EQ(origins.size(), 1u);
    EXPECT_EQ(origins[0]["customer_id"], 6);
    EXPECT_EQ(origins[0]["channel"], "链家");

    // The winner cannot appeal; the loser may, once; the manager's decision is final and audited.
    const std::int64_t collision = ruled[0]["id"];
    const std::int64_t loserAgent = loser["agent_id"];
    EXPECT_THROW(collisions.appeal(1, collision, winner["agent_id"], "我也有理"), anchang::sdk::Error);
    EXPECT_EQ(collisions.appeal(1, collision, loserAgent, "客户是我带来的")["status"], "appealed");
    EXPECT_THROW(collisions.appeal(1, collision, loserAgent, "再申诉"), anchang::sdk::Error);
    const auto decided = collisions.decide(1, collision, second["id"], "现场带看为准", 2, "王丽");
    EXPECT_EQ(decided["status"], "final");
    EXPECT_EQ(reports.mine(1, 103)["reports"][0]["status"], "visited");
    EXPECT_EQ(reports.mine(1, 101)["reports"][0]["status"], "rejected");
    ASSERT_EQ(origins.size(), 2u);
    EXPECT_EQ(origins[1]["channel"], "全民");
    EXPECT_EQ(test.audit().back()["action"], "channel.collision.decide");
    EXPECT_THROW(collisions.decide(1, collision, first["id"], "改判", 2, "王丽"), anchang::sdk::Error);
}

TEST_F(ReportsTest, ACodeForTheSitesCustomerAndADealAfterTheWindowAreTheSites) {
    const auto code = report(101, "13812345678").second["code"].get<std::string>();
    known["13812345678"] = {{"id", 5}, {"visits", 1}, {"owner_id", nullptr}, {"first_visit_at", test.now() - kDay}};
    const auto check = desk("13812345678", code);
    visits = {{{"id", 79}, {"number", 4}, {"status", "waiting"}, {"phone", "13812345678"}, {"registered_at", test.now()}, {"checks", {{"channel", check}}}}};
    reports.visitRegistered(1, {{"visit_id", 79}, {"customer_id", 5}});
    auto ruled = collisions.list(1, std::nullopt);
    ASSERT_EQ(ruled.size(), 1u);
    EXPECT_EQ(ruled[0]["kind"], "site");
    EXPECT_TRUE(ruled[0]["winner_report_id"].is_null());
    EXPECT_EQ(reports.mine(1, 101)["reports"][0]["status"], "rejected");

    // Another customer, confirmed, then subscribed after the 30 days.
    known.erase("13812345678");
    const auto other = report(101, "13812340000").second;
    const auto passed = desk("13812340000", other["code"]);
    visits = {{{"id", 80}, {"number", 5}, {"status", "waiting"}, {"phone", "13812340000"}, {"registered_at", test.now()}, {"checks", {{"channel", passed}}}}};
    reports.visitRegistered(1, {{"visit_id", 80}, {"customer_id", 7}});
    test.advance(31 * kDay);
    reports.subscribed(1, {{"deal_id", 3}, {"customer_id", 7}, {"unit_id", 1}});
    ruled = collisions.list(1, std::nullopt);
    EXPECT_EQ(ruled[0]["kind"], "lapsed");
    EXPECT_EQ(reports.mine(1, 101)["reports"][0]["status"], "rejected");
}

TEST_F(ReportsTest, AnalyticsCountWhatEachChannelAndAgentBroughtAndTheDeskSeesTodaysExpectedVisits) {
    const std::int64_t start = test.now();
    const auto visited = report(101, "13812345678").second;
    report(101, "13812340001");                               // reported, not come yet
    EXPECT_EQ(refusal(report(101, "13812340002", 60000)), "too_soon"); // refused
    report(103, "13812340003");
    const auto check = desk("13812345678", visited["code"]);
    visits = {{{"id", 90}, {"status", "waiting"}, {"phone", "13812345678"}, {"registered_at", test.now()}, {"checks", {{"channel", check}}}}};
    reports.visitRegistered(1, {{"visit_id", 90}, {"customer_id", 8}});
    reports.subscribed(1, {{"deal_id", 4}, {"customer_id", 8}, {"unit_id", 2}});

    const Analytics analytics(test.host());
    const auto companies = analytics.byCompany(1, start, test.now() + 1);
    ASSERT_EQ(companies.size(), 2u);
    const auto& lianjia = companies[0];
    EXPECT_EQ(lianjia["name"], "链家");
    EXPECT_EQ(lianjia["reports"], 3);
    EXPECT_EQ(lianjia["refused"], 1);
    EXPECT_EQ(lianjia["visits"], 1);
    EXPECT_EQ(lianjia["deals"], 1);
    EXPECT_DOUBLE_EQ(lianjia["visit_rate"].get<double>(), 0.5); // of the two accepted reports
    EXPECT_EQ(lianjia["agents"][0]["name"], "何军");
    const auto csv = analytics.csv(companies, false);
    EXPECT_EQ(csv.rfind("\xEF\xBB\xBF渠道,经纪人,报备", 0), 0u);
    EXPECT_NE(csv.find("链家,何军,3,1,1,1,0,50.0%,50.0%"), std::string::npos) << csv;
    // Today's expected visits: the reported ones still to come, not the one that came.
    const auto expected = analytics.expected(1, start, start + 3 * kHour);
    ASSERT_EQ(expected.size(), 2u);
    EXPECT_EQ(expected[0]["phone"], "13812340001");
}
