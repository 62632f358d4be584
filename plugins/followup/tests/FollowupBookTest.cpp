// Follow-ups, tasks, the protection clock and rulings on the SDK's test host: followup's own
// tables in memory, core as fakes that keep a small customer book, the clock moved by the test.
#include "Dashboards.h"
#include "FollowupBook.h"
#include "Rulings.h"
#include "TaskList.h"
#include "TeamBoard.h"

#include <anchang/sdk/testing/TestHost.hpp>
#include <gtest/gtest.h>

using namespace anchang::followup;
using anchang::sdk::testing::TestHost;

namespace {

constexpr std::int64_t kHour = 3600 * 1000;
constexpr std::int64_t kDay = 24 * kHour;
constexpr std::int64_t kZhang = 11, kZhao = 12, kSupervisor = 20;

struct FollowupTest : ::testing::Test {
    TestHost test{{.manifest = ANCHANG_FOLLOWUP_DIR "/plugin.json"}};
    TaskList tasks{test.host()};
    FollowupBook::Settings settings{};
    std::unique_ptr<FollowupBook> book;
    Rulings rulings{test.host()};
    std::map<std::int64_t, nlohmann::json> customers; // core's book, as the fakes keep it
    std::vector<nlohmann::json> assigned;
    std::vector<nlohmann::json> notes; // what went to the notifier

    void SetUp() override {
        test.migrate(ANCHANG_FOLLOWUP_DIR "/migrations");
        test.project(1, {{"id", 1}, {"utc_offset_minutes", 480}});
        test.fake("core.customer.get", [this](const nlohmann::json& body, std::int64_t) {
            if (!customers.count(body["customer_id"])) throw anchang::sdk::Error::notFound("customer.not_found", "no such customer");
            return nlohmann::json{{"customer", customers.at(body["customer_id"])}};
        });
        test.fake("core.customer.protect", [this](const nlohmann::json& body, std::int64_t) {
            auto& c = customers.at(body["customer_id"]);
            if (c["owner_id"] != body["owner_id"]) throw anchang::sdk::Error::conflict("customer.owner_changed", "not theirs");
            c["protection_until"] = body["until"];
            return nlohmann::json{{"customer", c}};
        });
        test.fake("core.customer.assign_owner", [this](const nlohmann::json& body, std::int64_t) {
            auto& c = customers.at(body["customer_id"]);
            assigned.push_back(body);
            const auto from = c["owner_id"];
            c["owner_id"] = body["owner_id"];
            c["protection_until"] = test.now() + 30 * kDay;
            book->ownerChanged(1, {{"customer_id", body["customer_id"]}, {"from", from}, {"to", body["owner_id"]}});
            return nlohmann::json{{"customer", c}};
        });
        test.fake("core.customer.timeline", [](const nlohmann::json&, std::int64_t) {
            return nlohmann::json{{"entries", {{{"at", 1}, {"kind", "visit"}, {"module", "registration"}}}}, {"missing", nlohmann::json::array()}};
        });
        test.fake("core.customers.select", [this](const nlohmann::json& body, std::int64_t) {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& [id, c] : customers) {
                if (id <= body.value("after_id", std::int64_t{0}) || c["owner_id"].is_null()) continue;
                if (body.contains("owners") && std::find(body["owners"].begin(), body["owners"].end(), c["owner_id"]) == body["owners"].end()) continue;
                if (body.contains("lapsed_before") && c["protection_until"].get<std::int64_t>() > body["lapsed_before"].get<std::int64_t>()) continue;
                out.push_back(c);
            }
            return nlohmann::json{{"customers", out}};
        });
        test.fake("core.roster.get", [](const nlohmann::json&, std::int64_t) {
            return nlohmann::json{{"teams", nlohmann::json::array()},
                                  {"consultants",
                                   {{{"user_id", kZhang}, {"name", "张伟"}, {"status", "on_duty"}},
                                    {{"user_id", kZhao}, {"name", "赵敏"}, {"status", "on_duty"}},
                                    {{"user_id", 13}, {"name", "周婷"}, {"status", "left"}}}}};
        });
        test.fake("core.customers.owned", [](const nlohmann::json&, std::int64_t) { return nlohmann::json{{"owned", {{"11", 2}, {"12", 1}}}}; });
        test.fake("kernel.notify", [this](const nlohmann::json& body, std::int64_t) {
            notes.push_back(body);
            return nlohmann::json{{"id", 1}, {"deliveries", nlohmann::json::array()}};
        });
        test.fake("kernel.users.get", [](const nlohmann::json& body, std::int64_t) {
            nlohmann::json users = nlohmann::json::array();
            for (const auto& id : body["ids"]) users.push_back({{"id", id}, {"display_name", id == kZhang ? "张伟" : "赵敏"}, {"phone", "13800000001"}});
            return nlohmann::json{{"users", users}};
        });
        makeBook();
        newCustomer(1, kZhang);
        newCustomer(2, kZhao);
    }
    void makeBook() { book = std::make_unique<FollowupBook>(test.host(), tasks, settings); }
    void newCustomer(std::int64_t id, std::int64_t owner) {
        customers[id] = {{"id", id}, {"name", "客户" + std::to_string(id)}, {"owner_id", owner}, {"protection_until", test.now() + 30 * kDay},
                         {"persons", {{{"phone", "1391234000" + std::to_string(id)}}}}};
        book->customerCreated(1, {{"customer_id", id}, {"owner_id", owner}, {"source", "natural"}});
    }
    FollowupBook::Actor as(std::int64_t id, bool all = false) { return {id, id == kZhang ? "张伟" : "赵敏", all}; }
    nlohmann::json follow(std::int64_t customer, std::int64_t who, nlohmann::json body = nlohmann::json::object()) {
        nlohmann::json full = {{"method", "phone"}, {"content", "电话沟通，客户周末想带家人来看样板间"}};
        full.merge_patch(body);
        return book->record(1, customer, as(who, who == kSupervisor), full);
    }
    std::vector<std::string> openKinds(std::int64_t consultant) {
        std::vector<std::string> out;
        for (const auto& t : tasks.open(1, consultant, std::nullopt, 100)) out.push_back(t["kind"]);
        return out;
    }
};

std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const anchang::sdk::Error& e) {
        return e.code();
    }
    return "none";
}

} // namespace

TEST_F(FollowupTest, TheOwnersValidFollowUpExtendsTheProtectionInCoreAndOthersDoNot) {
    test.advance(10 * kDay);
    const auto first = follow(1, kZhang);
    EXPECT_EQ(first["record"]["valid"], true);
    EXPECT_EQ(first["record"]["extended_to"], test.now() + 30 * kDay);
    EXPECT_EQ(customers[1]["protection_until"], test.now() + 30 * kDay);
    // Too short to count: recorded, but no clock moves.
    test.advance(kDay);
    EXPECT_EQ(follow(1, kZhang, {{"content", "已联系"}})["record"]["valid"], false);
    EXPECT_EQ(customers[1]["protection_until"], test.now() - kDay + 30 * kDay);
    // A supervisor's note on the customer keeps nobody's clock.
    EXPECT_TRUE(follow(1, kSupervisor)["record"]["extended_to"].is_null());
    // Another consultant's customer is not found.
    EXPECT_EQ(errorOf([&] { follow(1, kZhao); }), "customer.not_found");
    EXPECT_EQ(errorOf([&] { book->view(1, 1, as(kZhao)); }), "customer.not_found");
    EXPECT_EQ(errorOf([&] { follow(1, kZhang, {{"method", "fax"}}); }), "followup.invalid");
    EXPECT_EQ(errorOf([&] { follow(1, kZhang, {{"next_contact_at", test.now() - 1}}); }), "followup.invalid");
    EXPECT_EQ(test.published().back().topic, "followup.recorded");
}

TEST_F(FollowupTest, TheHardMaximumEndsTheClockWhateverTheFollowUps) {
    // A valid follow-up every 20 days: the protection follows, then stops at 90 days from the start.
    const std::int64_t start = test.now();
    for (int i = 0; i < 6; ++i) {
        test.advance(20 * kDay);
        follow(1, kZhang);
    }
    EXPECT_EQ(customers[1]["protection_until"], start + 90 * kDay);
    test.advance(1);
    EXPECT_TRUE(follow(1, kZhang)["record"]["extended_to"].is_null());
}

TEST_F(FollowupTest, ANewCustomersFirstCallBackThenTheGradesTasks) {
    auto open = tasks.open(1, kZhang, std::nullopt, 10);
    ASSERT_EQ(open.size(), 1u);
    EXPECT_EQ(open[0]["kind"], "first_callback");
    EXPECT_EQ(open[0]["due_at"], test.now() + 24 * kHour);
    // Graded A: the call-back is answered, a revisit is due in 3 days, and the next contact set.
    follow(1, kZhang, {{"grade", "A"}, {"next_contact_at", test.now() + 2 * kDay}});
    EXPECT_EQ(openKinds(kZhang), (std::vector<std::string>{"next_contact", "revisit"}));
    // A phone call does not answer a revisit; the customer's visit does.
    follow(1, kZhang);
    EXPECT_EQ(openKinds(kZhang), (std::vector<std::string>{"revisit"}));
    book->visited(1, {{"customer_id", 1}, {"owner_id", kZhang}, {"at", test.now()}});
    EXPECT_TRUE(openKinds(kZhang).empty());
    EXPECT_EQ(book->view(1, 1, as(kZhang))["profile"]["grade"], "A");
    // Down to B: no revisit owed any more, the week's list instead.
    follow(1, kZhang, {{"grade", "A"}});
    follow(1, kZhang, {{"grade", "B"}});
    EXPECT_EQ(openKinds(kZhang), (std::vector<std::string>{"weekly"}));
}

TEST_F(FollowupTest, MondaysListGivesEachBCustomerOneTaskForTheWeek) {
    follow(1, kZhang, {{"grade", "B"}});
    follow(2, kZhao, {{"grade", "C"}});
    EXPECT_EQ(openKinds(kZhang), (std::vector<std::string>{"weekly"})); // the grade's list task, at once
    EXPECT_EQ(book->lists(1, "B"), 1);
    EXPECT_EQ(openKinds(kZhang).size(), 1u); // run again (or delivered twice): still one for the week
    test.advance(7 * kDay);
    book->lists(1, "B");
    EXPECT_EQ(openKinds(kZhang).size(), 2u); // the next week's
    book->lists(1, "C");
    EXPECT_EQ(openKinds(kZhao), (std::vector<std::string>{"monthly"}));
}

TEST_F(FollowupTest, TasksFollowTheCustomerToANewOwnerOrEndWithTheOwnership) {
    follow(1, kZhang, {{"grade", "A"}});
    book->ownerChanged(1, {{"customer_id", 1}, {"from", kZhang}, {"to", kZhao}});
    EXPECT_TRUE(openKinds(kZhang).empty());
    const auto moved = openKinds(kZhao);
    EXPECT_NE(std::find(moved.begin(), moved.end(), "revisit"), moved.end());
    EXPECT_NE(std::find(moved.begin(), moved.end(), "first_callback"), moved.end());
    book->ownerChanged(1, {{"customer_id", 1}, {"from", kZhao}, {"to", nullptr}});
    for (const auto& t : tasks.open(1, kZhao, std::nullopt, 10)) EXPECT_NE(t["customer_id"], 1);
}

TEST_F(FollowupTest, AProjectThatRequiresIt_AFollowUpAfterEachVisitComesBeforeAnythingElse) {
    settings.requireAfterContact = true;
    makeBook();
    book->visited(1, {{"customer_id", 1}, {"owner_id", kZhang}, {"at", test.now()}});
    EXPECT_TRUE(book->view(1, 1, as(kZhang))["owes_followup"]);
    EXPECT_EQ(errorOf([&] { book->setProfile(1, 1, as(kZhang), {{"motive", "改善"}}); }), "followup.owed");
    follow(1, kZhang);
    EXPECT_FALSE(book->view(1, 1, as(kZhang))["owes_followup"]);
    EXPECT_EQ(book->setProfile(1, 1, as(kZhang), {{"motive", "改善"}})["motive"], "改善");
}

TEST_F(FollowupTest, ARulingKeepsItsEvidenceAndReassignsInOneStep) {
    follow(1, kZhang);
    const auto ruling = rulings.open(1, {{"customer_id", 1}, {"claimant_id", kZhao}, {"reason", "客户称首次由赵敏接待"}}, kSupervisor);
    EXPECT_EQ(ruling["owner_id"], kZhang);
    EXPECT_EQ(ruling["evidence"]["timeline"][0]["kind"], "visit");
    EXPECT_EQ(errorOf([&] { rulings.open(1, {{"customer_id", 1}, {"claimant_id", kZhao}, {"reason", "again"}}, kSupervisor); }), "followup.ruling_open");
    EXPECT_EQ(errorOf([&] { rulings.open(1, {{"customer_id", 2}, {"claimant_id", 13}, {"reason", "left"}}, kSupervisor); }), "followup.not_consultant");
    EXPECT_EQ(errorOf([&] { rulings.decide(1, ruling["id"], {{"winner_id", 99}, {"note", "x"}}, kSupervisor, "主管"); }), "followup.invalid");
    const auto decided = rulings.decide(1, ruling["id"], {{"winner_id", kZhao}, {"note", "来访登记为证"}}, kSupervisor, "主管");
    EXPECT_EQ(decided["status"], "decided");
    EXPECT_EQ(customers[1]["owner_id"], kZhao);
    ASSERT_EQ(assigned.size(), 1u);
    EXPECT_EQ(assigned[0]["reason"], "判客：来访登记为证");
    EXPECT_EQ(test.audit().back()["action"], "followup.ruling.decide");
    EXPECT_EQ(errorOf([&] { rulings.decide(1, ruling["id"], {{"winner_id", kZhang}, {"note", "改判"}}, kSupervisor, "主管"); }), "followup.ruling_decided");
}

TEST_F(FollowupTest, ALeavingConsultantsCustomersAreHandedOverInTurn) {
    newCustomer(3, kZhang);
    newCustomer(4, kZhang);
    newCustomer(5, 13);
    newCustomer(6, 13);
    newCustomer(7, 13);
    const auto done = rulings.handover(1, {{"from_id", 13}, {"to_ids", {kZhang, kZhao}}, {"reason", "周婷离职"}}, kSupervisor, "主管");
    EXPECT_EQ(done["moved"], 3);
    EXPECT_EQ(customers[5]["owner_id"], kZhang);
    EXPECT_EQ(customers[6]["owner_id"], kZhao);
    EXPECT_EQ(customers[7]["owner_id"], kZhang);
    EXPECT_EQ(errorOf([&] { rulings.handover(1, {{"from_id", kZhang}, {"to_ids", {13}}, {"reason", "x"}}, kSupervisor, "主管"); }), "followup.not_consultant");
}

TEST_F(FollowupTest, TheTeamBoardShowsWhoFallsBehind) {
    follow(1, kZhang);
    test.advance(2 * kDay); // 张伟's first call-back on customer 1 was answered; 赵敏's on 2 is now overdue
    const auto board = TeamBoard(test.host()).get(1);
    ASSERT_EQ(board["consultants"].size(), 2u); // 周婷 left
    const auto& zhang = board["consultants"][0];
    const auto& zhao = board["consultants"][1];
    EXPECT_EQ(zhang["followups_7d"], 1);
    EXPECT_EQ(zhang["held"], 2);
    EXPECT_EQ(zhao["overdue_tasks"], 1);
    EXPECT_EQ(zhao["behind"][0], "overdue_tasks");
}

TEST_F(FollowupTest, TheForecastIsEachGradesPastRateTimesTheCustomersHoldingItNow) {
    test.fake("core.customers.stats", [](const nlohmann::json&, std::int64_t) {
        return nlohmann::json{{"sources", {{{"source", "natural"}, {"customers", 10}, {"visited", 8}, {"deals", 2}},
                                           {{"source", "channel"}, {"customers", 5}, {"visited", 5}, {"deals", 3}}}}};
    });
    Dashboards dashboards(test.host());
    // 30 days ago two customers were graded A; one subscribed 5 days later, the other did not.
    newCustomer(3, kZhang);
    follow(1, kZhang, {{"grade", "A"}});
    follow(3, kZhang, {{"grade", "A"}});
    test.advance(5 * kDay);
    dashboards.subscribed(1, {{"customer_id", 1}, {"deal_id", 1}});
    test.advance(25 * kDay);
    // Now two more are A, without a deal: 0.5 × 3 (customers 2, 3 and 4 hold A; 1 bought) = 1.5.
    newCustomer(4, kZhang);
    follow(2, kZhao, {{"grade", "A"}});
    follow(4, kZhang, {{"grade", "A"}});
    const auto site = dashboards.manager(1, test.now() - 60 * kDay, test.now());
    EXPECT_EQ(site["funnel"]["leads"], 15);
    EXPECT_EQ(site["funnel"]["deals"], 5);
    const auto& a = site["forecast"]["by_grade"][0];
    EXPECT_EQ(a["graded_90d"], 2);
    EXPECT_EQ(a["converted_14d"], 1);
    EXPECT_EQ(a["holding"], 3);
    EXPECT_DOUBLE_EQ(site["forecast"]["expected_deals"].get<double>(), 1.5);
    EXPECT_NE(dashboards.managerCsv(site, false).find("A,3,50.0%,1.50"), std::string::npos);

    const auto mine = dashboards.consultant(1, kZhang);
    EXPECT_EQ(mine["protected"], 2);
    EXPECT_GE(mine["month"]["followups"].get<int>(), 1);
    EXPECT_EQ(mine["funnel"]["held"], 3);
}

TEST_F(FollowupTest, ANewCustomerIsWelcomedOnceAndTheMorningReminderCountsWhatIsDue) {
    // SetUp made customers 1 and 2: each welcomed, naming their consultant.
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_EQ(notes[0]["template"], "followup.welcome");
    EXPECT_EQ(notes[0]["recipient"]["phone"], "13912340001");
    EXPECT_EQ(notes[0]["params"]["consultant"], "张伟");
    book->customerCreated(1, {{"customer_id", 1}, {"owner_id", kZhang}, {"source", "natural"}}); // delivered again
    EXPECT_EQ(notes.size(), 2u);

    // Two days on, both first call-backs are overdue; 张伟's customer 1 ends its protection in 2 days.
    test.advance(2 * kDay);
    customers[1]["protection_until"] = test.now() + 2 * kDay;
    notes.clear();
    EXPECT_EQ(book->remind(1), 2);
    ASSERT_EQ(notes.size(), 2u);
    const auto& zhang = notes[0]["recipient"]["user_id"] == kZhang ? notes[0] : notes[1];
    EXPECT_EQ(zhang["template"], "followup.tasks_due");
    EXPECT_EQ(zhang["params"]["overdue"], 1);
    EXPECT_EQ(zhang["params"]["due"], 0);
    EXPECT_EQ(zhang["params"]["lapsing"], 1);
}
