// The pool's rules at their edges on the SDK's test host: core as fakes that keep a small
// customer book, the clock moved by the test — defeats, claims and their caps and cooldown, two
// claims on one customer, the nightly recycling.
#include "ClaimRules.h"
#include "PoolBook.h"

#include <anchang/sdk/testing/TestHost.hpp>
#include <gtest/gtest.h>

using namespace anchang::pool;
using anchang::sdk::testing::TestHost;

namespace {

constexpr std::int64_t kHour = 3600 * 1000;
constexpr std::int64_t kDay = 24 * kHour;
constexpr std::int64_t kZhang = 11, kZhao = 12, kLeft = 13, kSupervisor = 20;

std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const anchang::sdk::Error& e) {
        return e.code();
    }
    return "none";
}

struct PoolTest : ::testing::Test {
    TestHost test{{.manifest = ANCHANG_POOL_DIR "/plugin.json"}};
    std::map<std::int64_t, nlohmann::json> customers; // core's book: id -> {id, name, owner_id, protection_until, first_visit_at, deal}
    std::vector<nlohmann::json> protects;
    std::unique_ptr<PoolBook> book;
    PoolBook::Settings settings;

    void SetUp() override {
        test.migrate(ANCHANG_POOL_DIR "/migrations");
        test.project(1, {{"id", 1}, {"utc_offset_minutes", 480}});
        test.fake("core.customer.get", [this](const nlohmann::json& body, std::int64_t) { return nlohmann::json{{"customer", customers.at(body["customer_id"])}}; });
        test.fake("core.customer.release", [this](const nlohmann::json& body, std::int64_t) {
            auto& c = customers.at(body["customer_id"]);
            if (c["owner_id"] != body["owner_id"]) throw anchang::sdk::Error::conflict("customer.owner_changed", "moved");
            c["owner_id"] = nullptr;
            c["protection_until"] = nullptr;
            return nlohmann::json{{"customer", c}};
        });
        test.fake("core.customer.assign_owner", [this](const nlohmann::json& body, std::int64_t) {
            auto& c = customers.at(body["customer_id"]);
            c["owner_id"] = body["owner_id"];
            c["protection_until"] = test.now() + 30 * kDay;
            return nlohmann::json{{"customer", c}};
        });
        test.fake("core.customer.protect", [this](const nlohmann::json& body, std::int64_t) {
            protects.push_back(body);
            customers.at(body["customer_id"])["protection_until"] = body["until"];
            return nlohmann::json{{"customer", customers.at(body["customer_id"])}};
        });
        test.fake("core.customers.select", [this](const nlohmann::json& body, std::int64_t) {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& [id, c] : customers) {
                if (id <= body.value("after_id", std::int64_t{0}) || c["owner_id"].is_null() || (body.value("without_deal", false) && c["deal"] == true)) continue;
                if (body.contains("lapsed_before") && !(c["protection_until"].is_number() && c["protection_until"] <= body["lapsed_before"])) continue;
                if (body.contains("owners") && std::find(body["owners"].begin(), body["owners"].end(), c["owner_id"]) == body["owners"].end()) continue;
                if (body.contains("first_visit_before") && c["first_visit_at"] > body["first_visit_before"]) continue;
                out.push_back(c);
            }
            return nlohmann::json{{"customers", out}};
        });
        test.fake("core.roster.get", [](const nlohmann::json&, std::int64_t) {
            return nlohmann::json{{"teams", nlohmann::json::array()},
                                  {"consultants",
                                   {{{"user_id", kZhang}, {"name", "张伟"}, {"status", "on_duty"}},
                                    {{"user_id", kZhao}, {"name", "赵敏"}, {"status", "on_duty"}},
                                    {{"user_id", kLeft}, {"name", "周婷"}, {"status", "left"}}}}};
        });
        test.fake("kernel.notify", [](const nlohmann::json&, std::int64_t) { return nlohmann::json{{"id", 1}, {"deliveries", nlohmann::json::array()}}; });
        settings.reasons = test.host().config()["defeat_reasons"];
        makeBook();
        for (std::int64_t id = 1; id <= 4; ++id) customer(id, kZhang);
    }
    void makeBook() { book = std::make_unique<PoolBook>(test.host(), settings); }
    void customer(std::int64_t id, std::int64_t owner, bool deal = false) {
        customers[id] = {{"id", id}, {"name", "客户" + std::to_string(id)}, {"owner_id", owner}, {"protection_until", test.now() + 30 * kDay},
                         {"first_visit_at", test.now()}, {"deal", deal}};
    }
    PoolBook::Actor as(std::int64_t id) { return {id, id == kSupervisor ? "陈刚" : "顾问", id == kSupervisor}; }
    std::int64_t defeated(std::int64_t customer, const std::string& reason = "budget") {
        const auto d = book->applyDefeat(1, as(customers[customer]["owner_id"]), {{"customer_id", customer}, {"reason_id", reason}, {"note", "预算只有 200 万"}});
        book->decideDefeat(1, d["id"], as(kSupervisor), {{"decision", "approve"}, {"opinion", "同意"}});
        return book->entries(1, as(kZhao), std::nullopt, 50)["entries"][0]["id"];
    }
};

} // namespace

TEST(ClaimRules, TheCooldownsLastMillisecondAndTheCapsEdges) {
    const ClaimRules rules({.dailyCap = 3, .monthlyCap = 20, .cooldownDays = 30, .utcOffsetMinutes = 480});
    const ClaimRules::Entry entry{"defeat", kZhang, 1000};
    EXPECT_EQ(rules.refusal(entry, kZhang, 1000 + 30 * kDay - 1, 0, 0), "cooldown"); // the last millisecond of the cooldown
    EXPECT_EQ(rules.refusal(entry, kZhang, 1000 + 30 * kDay, 0, 0), "");             // and the first after it
    EXPECT_EQ(rules.refusal(entry, kZhao, 1000, 0, 0), "");                          // nobody else waits
    EXPECT_EQ(rules.refusal(entry, kZhao, 1000, 2, 2), "");
    EXPECT_EQ(rules.refusal(entry, kZhao, 1000, 3, 3), "daily_cap");
    EXPECT_EQ(rules.refusal(entry, kZhao, 1000, 0, 20), "monthly_cap");
    EXPECT_EQ(rules.refusal({"invalid", std::nullopt, 0}, kZhao, 1000, 0, 0), "invalid");
    // The office's day: 23:59 and 00:01 in Hangzhou are two days, whatever UTC says.
    const std::int64_t midnight = 1796601600000 - 8 * kHour; // 2026-12-07 00:00 +08:00
    EXPECT_EQ(rules.day(midnight - 60000), "2026-12-06");
    EXPECT_EQ(rules.day(midnight + 60000), "2026-12-07");
    EXPECT_EQ(rules.month(midnight), "2026-12");
}

TEST_F(PoolTest, ADefeatNeedsTheSupervisorsWrittenOpinionAndTheApplicantIsTold) {
    EXPECT_EQ(errorOf([&] { book->applyDefeat(1, as(kZhao), {{"customer_id", 1}, {"reason_id", "budget"}}); }), "customer.not_found");
    EXPECT_EQ(errorOf([&] { book->applyDefeat(1, as(kZhang), {{"customer_id", 1}, {"reason_id", "weather"}}); }), "pool.invalid");
    const auto d = book->applyDefeat(1, as(kZhang), {{"customer_id", 1}, {"reason_id", "budget"}, {"note", "预算只有 200 万"}});
    EXPECT_EQ(errorOf([&] { book->applyDefeat(1, as(kZhang), {{"customer_id", 1}, {"reason_id", "price"}}); }), "pool.defeat_pending");
    EXPECT_EQ(errorOf([&] { book->decideDefeat(1, d["id"], as(kSupervisor), {{"decision", "approve"}}); }), "pool.opinion_required");
    book->decideDefeat(1, d["id"], as(kSupervisor), {{"decision", "approve"}, {"opinion", "同意，进入公海"}});
    EXPECT_TRUE(customers[1]["owner_id"].is_null());
    const auto pool = book->entries(1, as(kZhao), std::nullopt, 50)["entries"];
    ASSERT_EQ(pool.size(), 1u);
    EXPECT_EQ(pool[0]["reason"], "defeat");
    EXPECT_EQ(pool[0]["reason_id"], "budget");
    EXPECT_EQ(test.published().back().topic, "pool.entered");
    EXPECT_EQ(errorOf([&] { book->decideDefeat(1, d["id"], as(kSupervisor), {{"decision", "reject"}, {"opinion", "改主意"}}); }), "pool.defeat_decided");
    // Or more time instead: the protection is extended in core, the customer stays.
    const auto e = book->applyDefeat(1, as(kZhang), {{"customer_id", 2}, {"reason_id", "no_contact"}});
    book->decideDefeat(1, e["id"], as(kSupervisor), {{"decision", "extend"}, {"opinion", "再跟两周"}});
    EXPECT_EQ(customers[2]["owner_id"], kZhang);
    ASSERT_EQ(protects.size(), 1u);
    EXPECT_EQ(protects[0]["until"], test.now() + 15 * kDay);
}

TEST_F(PoolTest, TwoClaimsOnOneCustomerOneWinsAndTheOtherIsToldWhy) {
    const auto entry = defeated(1);
    const auto first = book->claim(1, entry, as(kZhao));
    customer(9, kSupervisor); // any third consultant
    const auto second = book->claim(1, entry, as(kSupervisor));
    EXPECT_EQ(first["status"], "pending");
    EXPECT_EQ(book->decideClaim(1, first["id"], as(kSupervisor), {{"decision", "approve"}})["status"], "approved");
    EXPECT_EQ(customers[1]["owner_id"], kZhao);
    EXPECT_EQ(errorOf([&] { book->decideClaim(1, second["id"], as(kSupervisor), {{"decision", "approve"}}); }), "pool.taken");
    EXPECT_EQ(book->claims(1, as(kSupervisor), std::string("rejected"))[0]["opinion"], "已被他人捞取");
    EXPECT_EQ(errorOf([&] { book->claim(1, entry, as(kZhang)); }), "pool.taken");
}

TEST_F(PoolTest, WithoutApprovalTheFirstClaimTakesTheCustomerAtOnce) {
    settings.claimNeedsApproval = false;
    makeBook();
    const auto entry = defeated(1);
    EXPECT_EQ(book->claim(1, entry, as(kZhao))["status"], "approved");
    EXPECT_EQ(customers[1]["owner_id"], kZhao);
    EXPECT_EQ(errorOf([&] { book->claim(1, entry, as(kSupervisor)); }), "pool.taken");
}

TEST_F(PoolTest, ThePreviousOwnerWaitsAndEveryoneStaysWithinTheirCaps) {
    const auto entry = defeated(1);
    EXPECT_EQ(errorOf([&] { book->claim(1, entry, as(kZhang)); }), "pool.claim_refused"); // 张伟 gave it up today
    test.advance(30 * kDay);
    // The cooldown is over: 张伟 may claim it back now. Meanwhile three claims a day at most.
    EXPECT_EQ(book->entries(1, as(kZhang), std::nullopt, 50)["entries"][0]["claimable"], true);
    for (std::int64_t id = 20; id < 24; ++id) {
        customer(id, kSupervisor);
        customers[id]["owner_id"] = kSupervisor;
    }
    std::vector<std::int64_t> entries;
    for (std::int64_t id = 20; id < 24; ++id) {
        const auto d = book->applyDefeat(1, as(kSupervisor), {{"customer_id", id}, {"reason_id", "price"}});
        book->decideDefeat(1, d["id"], as(kSupervisor), {{"decision", "approve"}, {"opinion", "同意"}});
    }
    const auto pool = book->entries(1, as(kZhao), std::nullopt, 50);
    for (const auto& e : pool["entries"]) entries.push_back(e["id"]);
    ASSERT_EQ(entries.size(), 5u);
    for (int i = 0; i < 3; ++i) book->claim(1, entries[i], as(kZhao));
    EXPECT_EQ(errorOf([&] { book->claim(1, entries[3], as(kZhao)); }), "pool.claim_refused");
    EXPECT_EQ(book->entries(1, as(kZhao), std::nullopt, 50)["entries"][3]["refusal"], "daily_cap");
    // A refused claim gives its place back.
    const auto mine = book->claims(1, as(kZhao), std::string("pending"));
    book->decideClaim(1, mine[0]["id"], as(kSupervisor), {{"decision", "reject"}, {"opinion", "名下客户已多"}});
    EXPECT_EQ(book->claim(1, entries[3], as(kZhao))["status"], "pending");
    test.advance(kDay); // the next office day
    EXPECT_EQ(book->claim(1, entries[4], as(kZhao))["status"], "pending");
}

TEST_F(PoolTest, TheNightlyRecyclingTakesLapsedDepartedAndIdleCustomersButNeverABuyer) {
    customer(5, kLeft);                  // a departed consultant's
    customer(6, kZhao, true);            // a buyer
    customers[6]["protection_until"] = test.now() - 1;
    customers[1]["protection_until"] = test.now() - 1; // lapsed
    customers[2]["first_visit_at"] = test.now() - 91 * kDay; // idle since long
    EXPECT_EQ(book->recycle(1), 3);
    EXPECT_EQ(book->recycle(1), 0); // run again: nothing twice
    std::map<std::int64_t, std::string> reasons;
    const auto pool = book->entries(1, as(kZhao), std::nullopt, 50);
    for (const auto& e : pool["entries"]) reasons[e["customer_id"]] = e["reason"];
    EXPECT_EQ(reasons[1], "lapsed");
    EXPECT_EQ(reasons[2], "no_deal");
    EXPECT_EQ(reasons[5], "departed");
    EXPECT_FALSE(reasons.count(6));
    EXPECT_EQ(customers[6]["owner_id"], kZhao);
}

TEST_F(PoolTest, TheAnalysisCountsReasonsActivationAndDealsFromThePool) {
    const std::int64_t from = test.now();
    const auto entry = defeated(1, "budget");
    defeated(2, "budget");
    defeated(3, "price");
    book->claim(1, entry, as(kZhao));
    book->decideClaim(1, book->claims(1, as(kZhao), std::nullopt)[0]["id"], as(kSupervisor), {{"decision", "approve"}});
    book->subscribed(1, {{"customer_id", 1}, {"deal_id", 7}});
    const auto a = book->analysis(1, from, test.now() + 1);
    EXPECT_EQ(a["defeat_reasons"][0]["reason_id"], "budget");
    EXPECT_EQ(a["defeat_reasons"][0]["n"], 2);
    EXPECT_EQ(a["entered"], 3);
    EXPECT_EQ(a["claimed"], 1);
    EXPECT_NEAR(a["activation_rate"].get<double>(), 1.0 / 3, 1e-9);
    EXPECT_EQ(a["deals"], 1);
    EXPECT_EQ(a["rewards"][0]["consultant_id"], kZhao);
    EXPECT_EQ(a["in_pool"], 2);
}
