// The pool through the HTTP API of a real anchangd with core, registration and pool and the demo
// project: a defeat approved with an opinion puts the customer in the pool, released in core; two
// consultants claiming it at the same moment — one gets it, the other is told it was taken.
#include "support/DemoProject.h"

#include <gtest/gtest.h>

#include <thread>

using namespace anchang::test;

namespace {

class Pool : public DemoProject {
protected:
    void configure(KernelProcess::Options& o) override {
        o.modules.push_back("pool");
        o.settings.push_back("plugins.pool.claim_needs_approval=false");
    }
    std::string tokenOf(std::int64_t user) {
        for (int i = 1; i <= 6; ++i) {
            const std::string token = login(kernel->port(), "consultant" + std::to_string(i));
            if (http(kernel->port(), "GET", "/api/v1/auth/me", "", token).json()["id"] == user) return token;
        }
        return "";
    }
};

} // namespace

TEST_F(Pool, ADefeatPutsTheCustomerInThePoolAndOfTwoClaimsAtOnceOneWins) {
    const auto registered = visit("13912350001", "冯先生");
    const std::int64_t customer = registered["customer"]["id"], owner = registered["customer"]["owner_id"];
    const std::string ownerToken = tokenOf(owner), supervisor = login(kernel->port(), "supervisor");
    const auto applied = api("POST", "/pool/defeats", {{"customer_id", customer}, {"reason_id", "budget"}, {"note", "预算不足"}}, ownerToken);
    ASSERT_EQ(applied.status, 201) << applied.body;
    EXPECT_EQ(api("POST", "/pool/defeats/" + applied.json()["id"].dump() + "/decide", {{"decision", "approve"}}, supervisor).errorCode(),
              "pool.opinion_required");
    EXPECT_EQ(api("POST", "/pool/defeats/" + applied.json()["id"].dump() + "/decide", {{"decision", "approve"}, {"opinion", "同意"}}, ownerToken).status, 403);
    ASSERT_EQ(api("POST", "/pool/defeats/" + applied.json()["id"].dump() + "/decide", {{"decision", "approve"}, {"opinion", "同意"}}, supervisor).status, 200);
    EXPECT_TRUE(api("GET", "/customers/" + std::to_string(customer), nullptr, manager).json()["owner_id"].is_null());

    const auto pool = api("GET", "/pool/entries", nullptr, ownerToken).json();
    ASSERT_EQ(pool["entries"].size(), 1u);
    EXPECT_EQ(pool["entries"][0]["refusal"], "cooldown"); // the one who gave it up waits
    const std::string entry = pool["entries"][0]["id"].dump();
    std::vector<std::string> others;
    for (int i = 1; i <= 6 && others.size() < 2; ++i) {
        const std::string token = login(kernel->port(), "consultant" + std::to_string(i));
        if (token != ownerToken && http(kernel->port(), "GET", "/api/v1/auth/me", "", token).json()["id"] != owner) others.push_back(token);
    }
    ASSERT_EQ(others.size(), 2u);
    HttpResult a, b;
    std::thread first([&] { a = api("POST", "/pool/entries/" + entry + "/claim", nlohmann::json::object(), others[0]); });
    std::thread second([&] { b = api("POST", "/pool/entries/" + entry + "/claim", nlohmann::json::object(), others[1]); });
    first.join();
    second.join();
    EXPECT_EQ((a.status == 201) + (b.status == 201), 1) << a.body << "\n" << b.body;
    const auto& lost = a.status == 201 ? b : a;
    EXPECT_EQ(lost.errorCode(), "pool.taken") << lost.body;
    const auto& won = a.status == 201 ? a : b;
    EXPECT_EQ(api("GET", "/customers/" + std::to_string(customer), nullptr, manager).json()["owner_id"], won.json()["consultant_id"]);
    EXPECT_TRUE(api("GET", "/pool/entries", nullptr, ownerToken).json()["entries"].empty());
}

namespace {

class PoolDemo : public Pool {
protected:
    void configure(KernelProcess::Options& o) override {
        Pool::configure(o);
        o.settings.push_back("plugins.pool.demo_seed=" + (KernelProcess::sourceDir() / "config/demo/pool.json").string());
    }
};

} // namespace

TEST_F(PoolDemo, TheDemoPoolHasALapsedCustomerAndADefeatWaitingForTheSupervisor) {
    const std::string supervisor = login(kernel->port(), "supervisor");
    const auto pool = api("GET", "/pool/entries", nullptr, supervisor).json()["entries"];
    ASSERT_EQ(pool.size(), 1u) << pool;
    EXPECT_EQ(pool[0]["customer_name"], "孙先生"); // 45 days since the visit, 30 days' protection
    EXPECT_EQ(pool[0]["reason"], "lapsed");
    const auto waiting = api("GET", "/pool/defeats?status=pending", nullptr, supervisor).json()["defeats"];
    ASSERT_EQ(waiting.size(), 1u);
    EXPECT_EQ(waiting[0]["reason_id"], "price");
}
