// Follow-up through the HTTP API of a real anchangd with core, registration and followup and the
// demo project: the desk's new customer becomes the receiver's first call-back, a follow-up
// extends the protection in core and shows on the customer's timeline, another consultant cannot
// reach the customer, and the supervisor rules and hands over.
#include "support/DemoProject.h"
#include "support/Eventually.h"
#include "support/TempDir.h"
#include "table/XlsxReader.h"

#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <set>

using namespace anchang::test;

namespace {

class Followup : public DemoProject {
protected:
    void configure(KernelProcess::Options& o) override { o.modules.push_back("followup"); }
    /// A consultant's login and token by their user id.
    std::pair<std::string, std::string> consultant(std::int64_t id) {
        for (int i = 1; i <= 6; ++i) {
            const std::string name = "consultant" + std::to_string(i);
            const std::string token = login(kernel->port(), name);
            if (http(kernel->port(), "GET", "/api/v1/auth/me", "", token).json()["id"] == id) return {name, token};
        }
        ADD_FAILURE() << "no consultant " << id;
        return {};
    }
};

} // namespace

TEST_F(Followup, ANewCustomersReceiverCallsBackFollowsUpAndKeepsTheCustomerLonger) {
    const auto registered = visit("13912340001", "钱先生");
    const std::int64_t customer = registered["customer"]["id"], owner = registered["customer"]["owner_id"];
    const auto [name, token] = consultant(owner);
    nlohmann::json tasks;
    ASSERT_TRUE(eventually([&] {
        tasks = api("GET", "/followup/tasks", nullptr, token).json()["tasks"];
        return tasks.size() == 1;
    })) << tasks;
    EXPECT_EQ(tasks[0]["kind"], "first_callback");
    EXPECT_EQ(tasks[0]["customer_id"], customer);

    const auto before = api("GET", "/customers/" + std::to_string(customer), nullptr, manager).json()["protection_until"];
    const auto recorded = api("POST", "/followup/customers/" + std::to_string(customer) + "/records",
                              {{"method", "phone"}, {"content", "电话回访：客户关注四室，周六带家人复访"}, {"grade", "A"}}, token);
    ASSERT_EQ(recorded.status, 201) << recorded.body;
    EXPECT_EQ(recorded.json()["record"]["valid"], true);
    const auto after = api("GET", "/customers/" + std::to_string(customer), nullptr, manager).json()["protection_until"];
    EXPECT_GE(after.get<std::int64_t>(), before.get<std::int64_t>());
    EXPECT_EQ(after, recorded.json()["record"]["extended_to"].is_null() ? before : recorded.json()["record"]["extended_to"]);
    // The call-back is answered; grade A asks for a revisit.
    tasks = api("GET", "/followup/tasks", nullptr, token).json()["tasks"];
    ASSERT_EQ(tasks.size(), 1u) << tasks;
    EXPECT_EQ(tasks[0]["kind"], "revisit");
    // The customer's page: core's timeline carries the visit and the follow-up.
    const auto timeline = api("GET", "/customers/" + std::to_string(customer) + "/timeline", nullptr, token).json();
    std::set<std::string> kinds;
    for (const auto& e : timeline["entries"]) kinds.insert(e["module"].get<std::string>() + ":" + e["kind"].get<std::string>());
    EXPECT_TRUE(kinds.count("registration:visit") && kinds.count("followup:followup")) << timeline;
    const auto view = api("GET", "/followup/customers/" + std::to_string(customer), nullptr, token).json();
    EXPECT_EQ(view["profile"]["grade"], "A");
    EXPECT_EQ(view["records"].size(), 1u);

    // Another consultant cannot reach the customer; bad input is a 400 that records nothing.
    const std::string other = login(kernel->port(), name == "consultant1" ? "consultant2" : "consultant1");
    EXPECT_EQ(api("GET", "/followup/customers/" + std::to_string(customer), nullptr, other).status, 404);
    EXPECT_EQ(api("POST", "/followup/customers/" + std::to_string(customer) + "/records", {{"method", "phone"}, {"content", "抢客"}}, other).status, 404);
    EXPECT_EQ(api("POST", "/followup/customers/" + std::to_string(customer) + "/records", {{"method", 3}, {"content", "x"}}, token).errorCode(),
              "followup.invalid");
    EXPECT_EQ(api("POST", "/followup/customers/" + std::to_string(customer) + "/records", "[[[[[[", token).status, 400);
    EXPECT_EQ(api("GET", "/followup/customers/" + std::to_string(customer), nullptr, token).json()["records"].size(), 1u);

    // The three roles' dashboards: the consultant's own, the site's for the manager (and as CSV).
    const auto mine = api("GET", "/followup/dashboard/mine", nullptr, token).json();
    EXPECT_EQ(mine["week"]["followups"], 1);
    EXPECT_EQ(mine["funnel"]["grades"]["A"], 1);
    const std::string period = "from=0&to=" + std::to_string(std::numeric_limits<std::int64_t>::max() / 2);
    const auto site = api("GET", "/followup/dashboard/site?" + period, nullptr, manager).json();
    EXPECT_GE(site["funnel"]["leads"].get<int>(), 1) << site;
    EXPECT_FALSE(site["forecast"]["method"]["zh-CN"].get<std::string>().empty());
    EXPECT_EQ(api("GET", "/followup/dashboard/site?format=csv&" + period, nullptr, manager).body.rfind("\xEF\xBB\xBF", 0), 0u);
    // Each funnel figure opens exactly its rows in core's list: same period, source, stage.
    for (const auto& source : site["sources"]) {
        const std::string of = "/customers?limit=200&" + period + "&source=" + source["source"].get<std::string>();
        EXPECT_EQ(api("GET", of, nullptr, manager).json()["customers"].size(), source["customers"].get<std::size_t>()) << of;
        EXPECT_EQ(api("GET", of + "&stage=visited", nullptr, manager).json()["customers"].size(), source["visited"].get<std::size_t>()) << of;
        EXPECT_EQ(api("GET", of + "&stage=deal", nullptr, manager).json()["customers"].size(), source["deals"].get<std::size_t>()) << of;
    }
    EXPECT_EQ(api("GET", "/customers?stage=bought", nullptr, manager).errorCode(), "customer.invalid");
    EXPECT_EQ(api("GET", "/customers?from=5&to=5", nullptr, manager).errorCode(), "customer.invalid");
    // The Excel workbook: three sheets, the first the sources with their total.
    const auto exported = api("POST", "/followup/dashboard/site/export?" + period, nlohmann::json::object(), manager);
    ASSERT_EQ(exported.status, 201) << exported.body;
    const auto bytes = http(kernel->port(), "GET", "/api/v1/projects/1/media/" + exported.json()["id"].get<std::string>(), "", manager);
    ASSERT_EQ(bytes.status, 200);
    TempDir dir;
    std::ofstream(dir.file("site.xlsx"), std::ios::binary) << bytes.body;
    const auto table = anchang::XlsxReader::read(dir.file("site.xlsx"), {});
    EXPECT_EQ(table.sheet, "漏斗与来源");
    ASSERT_EQ(table.rows.size(), site["sources"].size() + 2);
    EXPECT_EQ(table.rows[0][1], "新增客户");
    EXPECT_EQ(table.rows.back()[0], "合计");
    EXPECT_EQ(api("POST", "/followup/dashboard/site/export?" + period, nlohmann::json::object(), token).status, 403);
    EXPECT_EQ(api("GET", "/followup/dashboard/site?" + period, nullptr, token).status, 403);
    EXPECT_EQ(api("GET", "/followup/dashboard/team?" + period, nullptr, login(kernel->port(), "supervisor")).status, 200);
}

TEST_F(Followup, TheSupervisorRulesWithTheEvidenceAndHandsALeaversCustomersOver) {
    const auto registered = visit("13912340002", "孙女士");
    const std::int64_t customer = registered["customer"]["id"], owner = registered["customer"]["owner_id"];
    const std::string supervisor = login(kernel->port(), "supervisor");
    const auto [ownerName, ownerToken] = consultant(owner);
    const auto claimant = http(kernel->port(), "GET", "/api/v1/auth/me", "", login(kernel->port(), ownerName == "consultant1" ? "consultant2" : "consultant1"))
                              .json()["id"];
    EXPECT_EQ(api("POST", "/followup/rulings", {{"customer_id", customer}, {"claimant_id", claimant}, {"reason", "x"}}, ownerToken).status, 403);
    const auto opened = api("POST", "/followup/rulings", {{"customer_id", customer}, {"claimant_id", claimant}, {"reason", "客户说先联系的是另一位顾问"}}, supervisor);
    ASSERT_EQ(opened.status, 201) << opened.body;
    EXPECT_FALSE(opened.json()["evidence"]["timeline"].empty());
    const auto decided = api("POST", "/followup/rulings/" + opened.json()["id"].dump() + "/decide", {{"winner_id", claimant}, {"note", "来电记录在先"}}, supervisor);
    ASSERT_EQ(decided.status, 200) << decided.body;
    EXPECT_EQ(api("GET", "/customers/" + std::to_string(customer), nullptr, manager).json()["owner_id"], claimant);

    // The claimant leaves: their customers go to two colleagues in turn.
    const auto handed = api("POST", "/followup/handover", {{"from_id", claimant}, {"to_ids", {owner}}, {"reason", "离职"}}, supervisor);
    ASSERT_EQ(handed.status, 200) << handed.body;
    EXPECT_GE(handed.json()["moved"].get<int>(), 1);
    EXPECT_EQ(api("GET", "/customers/" + std::to_string(customer), nullptr, manager).json()["owner_id"], owner);
    const auto board = api("GET", "/followup/board", nullptr, supervisor);
    EXPECT_EQ(board.status, 200) << board.body;
    EXPECT_FALSE(board.json()["consultants"].empty());
    EXPECT_EQ(api("GET", "/followup/board", nullptr, ownerToken).status, 403);
}

namespace {

class FollowupDemo : public Followup {
protected:
    void configure(KernelProcess::Options& o) override {
        Followup::configure(o);
        o.settings.push_back("plugins.followup.demo_seed=" + (KernelProcess::sourceDir() / "config/demo/followup.json").string());
    }
};

} // namespace

TEST_F(FollowupDemo, TheDemoHasProfilesPastFollowUpsAndTheTasksTheyLeftOpen) {
    const std::string liNa = login(kernel->port(), "consultant2"); // 赵先生's consultant in the demo
    const auto customer = api("GET", "/customers?phone=13911110001", nullptr, manager).json()["customers"][0]["id"].dump();
    const auto view = api("GET", "/followup/customers/" + customer, nullptr, liNa).json();
    EXPECT_EQ(view["profile"]["grade"], "A");
    EXPECT_EQ(view["records"].size(), 2u);
    EXPECT_EQ(view["profile"]["motive"], "改善：学区");
    std::set<std::string> kinds;
    const auto tasks = api("GET", "/followup/tasks", nullptr, liNa).json();
    for (const auto& t : tasks["tasks"]) kinds.insert(t["kind"]);
    EXPECT_TRUE(kinds.count("next_contact") && kinds.count("revisit")) << view;
    EXPECT_FALSE(kinds.count("weekly")); // graded B first, then A: the week's list ended with the B
}
