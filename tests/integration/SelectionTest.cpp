// Online opening through the HTTP API of a real anchangd with core and selection: qualification,
// a published list with its commitment, the draw, the standalone verifier agreeing (and
// disagreeing with a changed file), buyers signing in with texted codes, selections that become
// core subscriptions in the same commit, every refusal the storm meets (sold, limit, household,
// tampered unit or price, replays, two buyers on one unit at once), the board by version, the
// close giving unsold units back, a mock round that never reaches core, and kill -9 on both sides
// of the commit.
#include "support/DemoProject.h"
#include "support/EventStream.h"
#include "support/Eventually.h"
#include "support/WebhookReceiver.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

using namespace anchang::test;

namespace {

std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class Selection : public DemoProject {
protected:
    void configure(KernelProcess::Options& o) override {
        o.modules = {"selection"};
        o.settings.push_back("notify.channels=log,webhook");
        o.settings.push_back("notify.webhook.url=http://127.0.0.1:" + std::to_string(hook.port()) + "/sms");
        o.settings.push_back("notify.webhook.secret=a-shared-webhook-secret");
    }
    /// A buyer's session: a texted code asked for and keyed in, as on the phone.
    std::string buyer(const std::string& phone) {
        const nlohmann::json asking = {{"phone", phone}, {"project_id", 1}, {"role", "buyer"}};
        EXPECT_EQ(http(kernel->port(), "POST", "/api/v1/auth/code", asking.dump()).status, 202);
        std::string code;
        EXPECT_TRUE(eventually([&] {
            for (const auto& hit : hook.hits()) {
                const auto body = nlohmann::json::parse(hit.body);
                std::smatch digits;
                const std::string text = body["text"];
                if (body["recipient"]["phone"] == phone && std::regex_search(text, digits, std::regex("[0-9]{6}"))) code = digits[0];
            }
            return !code.empty();
        }));
        auto verifying = asking;
        verifying["code"] = code;
        return http(kernel->port(), "POST", "/api/v1/auth/code/verify", verifying.dump()).json().value("token", std::string{});
    }
    void qualify(const std::string& no, const std::string& phone, const std::string& group, const std::string& household = "") {
        nlohmann::json body = {{"buyer_no", no}, {"name", "买受人" + no}, {"phone", phone}, {"group", group}, {"deposit", 50000}};
        if (!household.empty()) body["household"] = household;
        const auto made = api("POST", "/selection/buyers", body, manager);
        ASSERT_EQ(made.status, 201) << made.body;
    }
    /// A round opened a minute ago for an hour, published and drawn.
    nlohmann::json openRound(const std::string& kind, const nlohmann::json& pacing = nlohmann::json::object()) {
        nlohmann::json body = {{"name", kind == "mock" ? "模拟选房" : "正式选房"}, {"kind", kind}, {"groups", {"no_home", "general"}},
                               {"starts_at", nowMs() - 60000}, {"ends_at", nowMs() + 3600000}};
        body.update(pacing);
        const auto made = api("POST", "/selection/rounds", body, manager);
        EXPECT_EQ(made.status, 201) << made.body;
        const std::string path = "/selection/rounds/" + made.json()["id"].dump();
        const auto published = api("POST", path + "/publish", nlohmann::json::object(), manager);
        EXPECT_EQ(published.status, 200) << published.body << kernel->log();
        const auto drawn = api("POST", path + "/draw", {{"digits", "20261205"}}, manager);
        EXPECT_EQ(drawn.status, 200) << drawn.body;
        return drawn.json();
    }
    nlohmann::json board(std::int64_t round, std::int64_t since = -1) {
        const std::string query = since < 0 ? "" : "?since=" + std::to_string(since);
        return api("GET", "/selection/rounds/" + std::to_string(round) + "/board" + query, nullptr, manager).json();
    }
    std::string unitStatus(const nlohmann::json& unit) {
        const auto units = api("GET", "/units", nullptr, manager).json()["units"];
        for (const auto& u : units)
            if (u["id"] == unit["unit_id"]) return u["status"];
        return "";
    }
    /// The first unit of the board still available, with its price.
    nlohmann::json availableUnit(std::int64_t round, int skip = 0) {
        const auto shown = board(round);
        for (const auto& u : shown["units"])
            if (u["status"] == "available" && skip-- == 0) return u;
        return nullptr;
    }
    HttpResult choose(std::int64_t round, const std::string& token, const nlohmann::json& unit, const std::string& request) {
        return api("POST", "/selection/rounds/" + std::to_string(round) + "/selections",
                   {{"unit_id", unit["unit_id"]}, {"price", unit["price"]}, {"request_id", request}}, token);
    }
    WebhookReceiver hook;
};

/// The same, with a waiting room for one buyer at a time.
class SelectionHall : public Selection {
protected:
    void configure(KernelProcess::Options& o) override {
        Selection::configure(o);
        o.settings.push_back("plugins.selection.hall_capacity=1");
    }
};

} // namespace

TEST_F(Selection, TheLotteryIsPublishedDrawnAndVerifiedByTheStandaloneScript) {
    qualify("A-001", "13600000001", "no_home");
    qualify("A-002", "13600000002", "no_home");
    qualify("B-001", "13600000003", "general");
    EXPECT_EQ(api("POST", "/selection/buyers", {{"buyer_no", "A-001"}, {"name", "x"}, {"phone", "13600000009"}, {"group", "general"}, {"deposit", 1}}, manager)
                  .errorCode(),
              "selection.buyer_exists");
    EXPECT_EQ(api("POST", "/selection/buyers", {{"buyer_no", "X"}, {"name", "x"}, {"phone", "13600000009"}, {"group", "vip"}, {"deposit", 1}}, manager)
                  .errorCode(),
              "selection.unknown_group");
    EXPECT_EQ(api("POST", "/selection/buyers", {{"buyer_no", "X"}, {"name", "x"}, {"phone", "13600000009"}, {"group", "general"}}, login(kernel->port(), "consultant1"))
                  .status,
              403);

    const auto made = api("POST", "/selection/rounds",
                          {{"name", "一期正式选房"}, {"kind", "formal"}, {"groups", {"general", "no_home"}}, {"starts_at", nowMs() + 3600000},
                           {"ends_at", nowMs() + 7200000}, {"batch_size", 2}, {"batch_gap_s", 300}},
                          manager);
    ASSERT_EQ(made.status, 201) << made.body;
    const std::string path = "/selection/rounds/" + made.json()["id"].dump();
    EXPECT_EQ(made.json()["groups"][0]["code"], "no_home"); // the configuration's priority, not the request's order
    EXPECT_EQ(api("POST", path + "/draw", {{"digits", "1"}}, manager).errorCode(), "selection.not_drawable");

    // Published: the list and the commitment are public, the seed is not.
    const auto published = api("POST", path + "/publish", nlohmann::json::object(), manager);
    ASSERT_EQ(published.status, 200) << published.body;
    EXPECT_EQ(published.json()["buyers"], 3);
    EXPECT_GT(published.json()["units"].get<int>(), 0);
    EXPECT_TRUE(published.json()["seed"].is_null());
    const std::string files = "/api/v1/projects/1/selection/rounds/" + made.json()["id"].dump() + "/lottery/";
    const auto eligible = http(kernel->port(), "GET", files + "eligible.csv", "", "");
    ASSERT_EQ(eligible.status, 200) << eligible.body;
    EXPECT_EQ(eligible.body.rfind("priority,group,buyer_no,phone\n1,no_home,A-001,136****0001\n", 0), 0u) << eligible.body;
    EXPECT_EQ(eligible.body.find("13600000001"), std::string::npos); // never a full number in public
    EXPECT_EQ(http(kernel->port(), "GET", files + "seed.txt", "", "").status, 404);
    EXPECT_EQ(api("PATCH", path, {{"name", "改名"}}, manager).errorCode(), "selection.round_fixed");
    // A formal round took its units out of the desk's hands.
    const auto units = api("GET", "/units?status=selected", nullptr, manager).json()["units"];
    EXPECT_EQ(units.size(), published.json()["units"].get<std::size_t>());

    // The draw: digits keyed in, the order computed, the seed revealed; only once.
    EXPECT_EQ(api("POST", path + "/draw", {{"digits", "12a"}}, manager).errorCode(), "selection.invalid");
    const auto drawn = api("POST", path + "/draw", {{"digits", "31415926"}}, manager);
    ASSERT_EQ(drawn.status, 200) << drawn.body;
    EXPECT_EQ(drawn.json()["phase"], "scheduled");
    EXPECT_EQ(api("POST", path + "/draw", {{"digits", "27182818"}}, manager).errorCode(), "selection.not_drawable");
    const auto order = api("GET", path + "/order", nullptr, manager).json()["order"];
    ASSERT_EQ(order.size(), 3u);
    EXPECT_EQ(order[2]["buyer_no"], "B-001"); // the general group after the families without a home
    EXPECT_EQ(order[2]["batch"], 1);

    // Anyone recomputes it from the published files with the standalone script.
    TempDir dir;
    for (const char* name : {"eligible.csv", "commitment.txt", "seed.txt", "digits.txt", "result.csv"}) {
        const auto file = http(kernel->port(), "GET", files + name, "", "");
        ASSERT_EQ(file.status, 200) << name;
        std::ofstream(dir.file(name), std::ios::binary) << file.body;
    }
    const std::string verify = "python3 " + (KernelProcess::sourceDir() / "scripts/verify-lottery").string() + " --list " + dir.file("eligible.csv") +
                               " --commitment " + dir.file("commitment.txt") + " --seed " + dir.file("seed.txt") + " --result " + dir.file("result.csv") +
                               " --digits " + dir.file("digits.txt") + " >/dev/null 2>&1";
    EXPECT_EQ(std::system(verify.c_str()), 0);
    std::ofstream(dir.file("digits.txt"), std::ios::binary) << "31415927\n";
    EXPECT_NE(std::system(verify.c_str()), 0) << "other digits give another order";
    const auto actions = auditActions();
    EXPECT_TRUE(std::find(actions.begin(), actions.end(), "selection.round.draw") != actions.end());
}

TEST_F(Selection, AFormalRoundSellsEachUnitOnceAndCoreMakesItsSubscriptionRightAfter) {
    qualify("A-001", "13600000001", "no_home", "家庭1");
    qualify("A-002", "13600000002", "no_home", "家庭1"); // the same household
    qualify("B-001", "13600000003", "general");
    qualify("B-002", "13600000004", "general");
    const auto round = openRound("formal");
    ASSERT_EQ(round["phase"], "open");
    const std::int64_t id = round["id"];
    const std::string a1 = buyer("13600000001"), a2 = buyer("13600000002"), b1 = buyer("13600000003"), b2 = buyer("13600000004");
    ASSERT_FALSE(a1.empty());
    const auto me = api("GET", "/selection/rounds/" + std::to_string(id) + "/me", nullptr, a1);
    ASSERT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(me.json()["phone"], "136****0001");
    EXPECT_EQ(me.json()["name"], "买受人A-001");
    EXPECT_EQ(me.json()["selections"], nlohmann::json::array());
    EXPECT_TRUE(me.json()["seq"].is_number());
    EXPECT_EQ(api("GET", "/selection/rounds/" + std::to_string(id) + "/me", nullptr, manager).status, 403);

    const auto unit = availableUnit(id);
    ASSERT_TRUE(unit.is_object());
    // Tampered requests: another price, a unit the round does not sell, a malformed body.
    auto tampered = unit;
    tampered["price"] = unit["price"].get<std::int64_t>() - 100000;
    EXPECT_EQ(choose(id, a1, tampered, "r1").errorCode(), "selection.price_mismatch");
    tampered = unit;
    tampered["unit_id"] = 999999;
    EXPECT_EQ(choose(id, a1, tampered, "r1").errorCode(), "selection.unit_not_found");
    EXPECT_EQ(api("POST", "/selection/rounds/" + std::to_string(id) + "/selections", "[[[[", a1).status, 400);
    EXPECT_EQ(api("POST", "/selection/rounds/" + std::to_string(id) + "/selections", {{"unit_id", "1"}, {"price", 1}, {"request_id", "x"}}, a1).errorCode(),
              "selection.invalid");

    const auto chosen = choose(id, a1, unit, "r1");
    ASSERT_EQ(chosen.status, 201) << chosen.body << kernel->log();
    const auto selection = chosen.json()["selection"];
    // Answered once the sale is on disk; core's subscription follows once the sales pause.
    EXPECT_TRUE(selection["deal_id"].is_null());
    EXPECT_EQ(api("GET", "/selection/rounds/" + std::to_string(id) + "/me", nullptr, a1).json()["selections"][0]["id"], selection["id"]);
    EXPECT_TRUE(eventually([&] {
        return api("GET", "/selection/rounds/" + std::to_string(id) + "/me", nullptr, a1).json()["selections"][0]["deal_id"].is_number();
    })) << kernel->log();
    // A replayed confirmation finds the same selection; a second unit is over the limit; the
    // household member is over the household's; another buyer finds the unit sold.
    const auto replay = choose(id, a1, unit, "r1");
    EXPECT_EQ(replay.status, 200);
    EXPECT_EQ(replay.json()["selection"]["id"], selection["id"]);
    EXPECT_EQ(choose(id, a1, availableUnit(id), "r2").errorCode(), "selection.limit_reached");
    EXPECT_EQ(choose(id, a2, availableUnit(id), "r3").errorCode(), "selection.household_limit");
    EXPECT_EQ(choose(id, b1, unit, "r4").errorCode(), "selection.sold");

    // Core has the subscription with its signing deadline; the unit is subscribed.
    const auto deals = api("GET", "/deals", nullptr, manager).json()["deals"];
    ASSERT_EQ(deals.size(), 1u);
    EXPECT_EQ(deals[0]["unit_id"], unit["unit_id"]);
    EXPECT_EQ(deals[0]["amount"], unit["price"]);
    EXPECT_EQ(deals[0]["sign_by"], selection["sign_by"]);
    EXPECT_EQ(deals[0]["reference"], "selection:" + selection["id"].dump());
    EXPECT_EQ(unitStatus(unit), "subscribed");

    // The board by version: a viewer one version behind gets only the sale.
    const auto full = board(id);
    EXPECT_TRUE(full["full"]);
    const auto delta = board(id, full["version"].get<std::int64_t>() - 1);
    EXPECT_FALSE(delta["full"]);
    ASSERT_EQ(delta["units"].size(), 1u);
    EXPECT_EQ(delta["units"][0]["unit_id"], unit["unit_id"]);

    // Two buyers on one unit in the same moment: one wins, the other is told it is sold.
    const auto contested = availableUnit(id);
    std::atomic<int> created{0}, refused{0};
    std::thread first([&] { (choose(id, b1, contested, "race-b1").status == 201 ? created : refused)++; });
    std::thread second([&] { (choose(id, b2, contested, "race-b2").status == 201 ? created : refused)++; });
    first.join();
    second.join();
    EXPECT_EQ(created, 1);
    EXPECT_EQ(refused, 1);
    EXPECT_TRUE(eventually([&] { return api("GET", "/deals", nullptr, manager).json()["deals"].size() == 2u; }));

    // Closing gives the unsold units back to the desk; the round takes no more selections.
    const auto closed = api("POST", "/selection/rounds/" + std::to_string(id) + "/close", nlohmann::json::object(), manager);
    ASSERT_EQ(closed.status, 200) << closed.body;
    EXPECT_TRUE(api("GET", "/units?status=selected", nullptr, manager).json()["units"].empty());
    EXPECT_EQ(choose(id, b2, availableUnit(id), "late").errorCode(), "selection.not_open");
    const auto progress = api("GET", "/selection/rounds/" + std::to_string(id) + "/progress", nullptr, manager).json();
    EXPECT_EQ(progress["sold"], 2);
    EXPECT_EQ(progress["chose"], 2);
}

TEST_F(Selection, AMockRoundRehearsesOnTheSameCodePathWithoutTouchingCore) {
    qualify("A-001", "13600000001", "no_home");
    const auto round = openRound("mock");
    const std::int64_t id = round["id"];
    const auto unit = availableUnit(id);
    const auto chosen = choose(id, buyer("13600000001"), unit, "mock-1");
    ASSERT_EQ(chosen.status, 201) << chosen.body;
    EXPECT_TRUE(chosen.json()["selection"]["deal_id"].is_null());
    EXPECT_TRUE(api("GET", "/deals", nullptr, manager).json()["deals"].empty());
    EXPECT_EQ(unitStatus(unit), "available");
}

TEST_F(Selection, KilledBeforeItsCommitASelectionLeavesNothingAndAfterItAllOfItOnce) {
    qualify("A-001", "13600000001", "no_home");
    qualify("B-001", "13600000003", "general");
    const std::int64_t id = openRound("formal")["id"];
    const auto unit = availableUnit(id);
    // Sessions outlive the kernel; one texted code per phone is all a minute allows.
    const std::string a1 = buyer("13600000001"), b1 = buyer("13600000003");
    auto chooseAndCrash = [&](const std::string& request) {
        try {
            choose(id, a1, unit, request);
        } catch (const std::exception&) {
            // the connection went down with the process
        }
        return eventually([&] { return kernel->exited(); });
    };
    restart({"test.crashAt=selection.before_commit"});
    ASSERT_TRUE(chooseAndCrash("k1")) << kernel->log();
    restart();
    EXPECT_EQ(availableUnit(id)["unit_id"], unit["unit_id"]);
    EXPECT_TRUE(api("GET", "/deals", nullptr, manager).json()["deals"].empty());

    restart({"test.crashAt=selection.committed"});
    ASSERT_TRUE(chooseAndCrash("k2")) << kernel->log();
    restart();
    // Acknowledged or not, the committed selection holds: sold once; core was never asked for
    // its subscription before the kill, so the restart asks; and the buyer's retry finds it,
    // deal and all.
    EXPECT_NE(availableUnit(id)["unit_id"], unit["unit_id"]);
    EXPECT_TRUE(eventually([&] { return api("GET", "/deals", nullptr, manager).json()["deals"].size() == 1u; })) << kernel->log();
    // The relay records core's deal just after core made it: a retry finds it then.
    HttpResult retry;
    EXPECT_TRUE(eventually([&] {
        retry = choose(id, a1, unit, "k2");
        return retry.status == 200 && retry.json()["selection"]["deal_id"].is_number();
    })) << retry.body;
    EXPECT_EQ(api("GET", "/deals", nullptr, manager).json()["deals"].size(), 1u); // asked again, nothing made twice
    EXPECT_EQ(choose(id, b1, unit, "k3").errorCode(), "selection.sold");
}

TEST_F(Selection, BatchesTwoTabsAndAViewerThatNeverReadsChangeNothingOfTheRules) {
    qualify("A-001", "13600000001", "no_home");
    qualify("A-002", "13600000002", "no_home");
    // One buyer a batch, an hour apart: only the first drawn may choose now.
    const std::int64_t id = openRound("formal", {{"batch_size", 1}, {"batch_gap_s", 3600}})["id"];
    const auto order = api("GET", "/selection/rounds/" + std::to_string(id) + "/order", nullptr, manager).json()["order"];
    ASSERT_EQ(order.size(), 2u);
    const std::string first = buyer(order[0]["phone"]), second = buyer(order[1]["phone"]);
    EXPECT_EQ(api("GET", "/selection/rounds/" + std::to_string(id) + "/me", nullptr, first).json()["batch"], 0);
    const auto mine = api("GET", "/selection/rounds/" + std::to_string(id) + "/me", nullptr, second).json();
    EXPECT_EQ(mine["batch"], 1);
    EXPECT_GT(mine["opens_at"].get<std::int64_t>(), nowMs());
    const auto early = choose(id, second, availableUnit(id), "early");
    EXPECT_EQ(early.errorCode(), "selection.not_yet");
    // The page words the opening time itself, from the detail, in the buyer's language.
    EXPECT_EQ(early.json()["error"]["detail"]["opens_at"], mine["opens_at"]) << early.body;
    // The phone was proven by the texted code: the office sees it verified.
    const auto buyers = api("GET", "/selection/buyers", nullptr, manager).json()["buyers"];
    EXPECT_TRUE(buyers[0]["verified_at"].is_number() && buyers[1]["verified_at"].is_number()) << buyers;

    // The console's stragglers: the first batch is open and its buyer has not chosen.
    const auto progress = api("GET", "/selection/rounds/" + std::to_string(id) + "/progress", nullptr, manager).json();
    EXPECT_EQ(progress["batches_open"], 1);
    EXPECT_EQ(progress["stragglers_total"], 1);
    EXPECT_EQ(progress["stragglers"][0]["seq"], 1);

    // A viewer that never reads, and one that does: the sale goes through and reaches the reader.
    EventStream stalled(kernel->port(), 1, "selection.sold", second);
    EventStream watching(kernel->port(), 1, "selection.sold", manager);
    // One buyer, two tabs, two units at once: one selection, the other tab told why not.
    const auto a = availableUnit(id), b = availableUnit(id, 1);
    HttpResult left, right;
    std::thread one([&] { left = choose(id, first, a, "tab-1"); });
    std::thread two([&] { right = choose(id, first, b, "tab-2"); });
    one.join();
    two.join();
    EXPECT_EQ((left.status == 201) + (right.status == 201), 1) << left.body << right.body;
    const auto& refused = left.status == 201 ? right : left;
    EXPECT_TRUE(refused.errorCode() == "selection.in_progress" || refused.errorCode() == "selection.limit_reached") << refused.body;
    const auto pushed = watching.next("selection.sold");
    ASSERT_TRUE(pushed.has_value());
    EXPECT_EQ((*pushed)["round_id"], id);
    EXPECT_TRUE(eventually([&] { return api("GET", "/deals", nullptr, manager).json()["deals"].size() == 1u; }));
}

TEST_F(SelectionHall, WhenTheHallIsFullABuyerWaitsInLineAndComesInWhenAPlaceFrees) {
    qualify("A-001", "13600000001", "no_home");
    qualify("A-002", "13600000002", "no_home");
    const std::int64_t id = openRound("mock")["id"];
    const std::string a = buyer("13600000001"), b = buyer("13600000002");
    const std::string me = "/selection/rounds/" + std::to_string(id) + "/me";
    EXPECT_EQ(api("GET", me, nullptr, a).json()["queue"]["admitted"], true);
    const auto waiting = api("GET", me, nullptr, b).json()["queue"];
    EXPECT_EQ(waiting["admitted"], false);
    EXPECT_EQ(waiting["ahead"], 0);
    const auto unit = availableUnit(id);
    const auto queued = choose(id, b, unit, "b-1");
    EXPECT_EQ(queued.status, 202) << queued.body;
    EXPECT_EQ(queued.json()["queued"], true);
    // The buyer in the hall chooses all they may and leaves it: the next in line comes in.
    ASSERT_EQ(choose(id, a, unit, "a-1").status, 201);
    EXPECT_EQ(api("GET", me, nullptr, b).json()["queue"]["admitted"], true);
    EXPECT_EQ(choose(id, b, availableUnit(id), "b-2").status, 201);
}

TEST_F(Selection, BadInputGetsAClearErrorAndChangesNothing) {
    const std::string deep = std::string(5000, '[') + std::string(5000, ']');
    EXPECT_EQ(api("POST", "/selection/buyers", "{\"buyer_no\": ", manager).status, 400);
    EXPECT_EQ(http(kernel->port(), "POST", "/api/v1/projects/1/selection/buyers", deep, manager).status, 400);
    EXPECT_EQ(api("POST", "/selection/buyers", {{"buyer_no", "A 1"}, {"name", "x"}, {"phone", "13600000001"}, {"group", "general"}, {"deposit", 1}}, manager)
                  .errorCode(),
              "selection.invalid");
    EXPECT_EQ(api("POST", "/selection/buyers", {{"buyer_no", "A1"}, {"name", "x"}, {"phone", "1234"}, {"group", "general"}, {"deposit", 1}}, manager)
                  .errorCode(),
              "selection.invalid");
    EXPECT_EQ(api("POST", "/selection/buyers", {{"buyer_no", "A1"}, {"name", "x"}, {"phone", "13600000001"}, {"group", "general"}, {"deposit", "1"}}, manager)
                  .errorCode(),
              "selection.invalid");
    EXPECT_EQ(api("PATCH", "/selection/buyers/999999", {{"name", "x"}}, manager).errorCode(), "selection.buyer_not_found");
    EXPECT_TRUE(api("GET", "/selection/buyers", nullptr, manager).json()["buyers"].empty());

    const auto now = nowMs();
    EXPECT_EQ(api("POST", "/selection/rounds", {{"name", "x"}, {"kind", "formal"}, {"groups", {"general"}}, {"starts_at", now}, {"ends_at", now - 1}}, manager)
                  .errorCode(),
              "selection.invalid");
    EXPECT_EQ(api("POST", "/selection/rounds", {{"name", "x"}, {"kind", "vip"}, {"groups", {"general"}}, {"starts_at", now}, {"ends_at", now + 1}}, manager)
                  .errorCode(),
              "selection.invalid");
    EXPECT_EQ(api("POST", "/selection/rounds", {{"name", "x"}, {"kind", "mock"}, {"groups", "general"}, {"starts_at", now}, {"ends_at", now + 1}}, manager)
                  .errorCode(),
              "selection.invalid");
    EXPECT_EQ(api("POST", "/selection/rounds", {{"name", "x"}, {"kind", "mock"}, {"groups", {"general"}}, {"starts_at", now}, {"ends_at", now + 1}},
                  login(kernel->port(), "consultant1"))
                  .status,
              403);
    EXPECT_TRUE(api("GET", "/selection/rounds", nullptr, manager).json()["rounds"].empty());
    // Unknown rounds and files are 404s, publishing nothing is a 409.
    EXPECT_EQ(api("POST", "/selection/rounds/999999/publish", nlohmann::json::object(), manager).errorCode(), "selection.round_not_found");
    EXPECT_EQ(http(kernel->port(), "GET", "/api/v1/projects/1/selection/rounds/999999/lottery/eligible.csv", "", "").status, 404);
    const auto made = api("POST", "/selection/rounds", {{"name", "x"}, {"kind", "mock"}, {"groups", {"general"}}, {"starts_at", now}, {"ends_at", now + 60000}},
                          manager);
    ASSERT_EQ(made.status, 201) << made.body;
    const std::string path = "/selection/rounds/" + made.json()["id"].dump();
    EXPECT_EQ(api("POST", path + "/publish", nlohmann::json::object(), manager).errorCode(), "selection.no_buyers");
    EXPECT_EQ(http(kernel->port(), "GET", "/api/v1/projects/1" + path + "/lottery/../../etc/passwd", "", "").status, 404);
    EXPECT_EQ(http(kernel->port(), "GET", "/api/v1/projects/1" + path + "/lottery/secret.txt", "", "").status, 404);
    EXPECT_EQ(api("GET", path + "/board", nullptr, manager).json()["units"].size(), 0u);
}
