// core through the HTTP API of a real anchangd with the demo project: who sees which customers,
// households, rulings on ownership, the duty roster, inventory control and deals — and what each
// refuses.
#include "support/DemoProject.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace anchang::test;

namespace {

class Core : public DemoProject {
protected:
    nlohmann::json customerByPhone(const std::string& phone) {
        return api("GET", "/customers?phone=" + phone, nullptr, manager).json()["customers"][0];
    }
    nlohmann::json firstUnit(const std::string& status = "available") {
        return api("GET", "/units?status=" + status, nullptr, manager).json()["units"][0];
    }
};

} // namespace

TEST_F(Core, ConsultantsSeeOnlyTheirOwnCustomers) {
    const std::string lina = login(kernel->port(), "consultant2"); // owns 赵先生 in the demo
    auto mine = api("GET", "/customers", nullptr, lina).json();
    EXPECT_EQ(mine["scope"], "own");
    ASSERT_EQ(mine["customers"].size(), 1u);
    EXPECT_EQ(mine["customers"][0]["name"], "赵先生");
    EXPECT_EQ(mine["customers"][0]["persons"][0]["phone"], "13911110001");

    auto all = api("GET", "/customers", nullptr, manager).json();
    EXPECT_EQ(all["scope"], "all");
    EXPECT_EQ(all["customers"].size(), 3u);
    const auto other = customerByPhone("13911110002"); // 周婷's
    EXPECT_EQ(api("GET", "/customers/" + other["id"].dump(), nullptr, lina).errorCode(), "customer.not_found");
    EXPECT_EQ(api("GET", "/customers/999999", nullptr, manager).errorCode(), "customer.not_found");
    EXPECT_EQ(api("GET", "/customers?limit=ten", nullptr, manager).errorCode(), "request.invalid");
}

TEST_F(Core, AHouseholdIsOneCustomerAndAPhoneBelongsToOneOfThem) {
    const auto zhao = customerByPhone("13911110001");
    const std::string path = "/customers/" + zhao["id"].dump() + "/persons";
    auto linked = api("POST", path, {{"phone", "13911119001"}, {"name", "赵太太"}, {"relation", "spouse"}}, manager);
    ASSERT_EQ(linked.status, 201) << linked.body;
    EXPECT_EQ(customerByPhone("13911119001")["id"], zhao["id"]) << "the spouse's phone finds the household";
    EXPECT_EQ(api("POST", path, {{"phone", "13911110002"}, {"name", "钱女士"}, {"relation", "parent"}}, manager).errorCode(),
              "customer.phone_taken");
    EXPECT_EQ(api("POST", path, {{"phone", "13911119002"}, {"name", "x"}, {"relation", "cousin"}}, manager).errorCode(), "customer.invalid");
    EXPECT_EQ(api("POST", path, {{"phone", "123"}, {"name", "x"}, {"relation", "child"}}, manager).errorCode(), "customer.phone_invalid");
    EXPECT_EQ(api("POST", path, {{"phone", "13911119003"}, {"name", 7}, {"relation", "child"}}, manager).errorCode(), "customer.invalid");
}

TEST_F(Core, OwnershipChangesNeedAConsultantOfTheRosterAndAReason) {
    const auto zhao = customerByPhone("13911110001");
    const std::string path = "/customers/" + zhao["id"].dump() + "/owner";
    const auto zhang = userId("consultant1");
    EXPECT_EQ(api("POST", path, {{"owner_id", zhang}}, manager).errorCode(), "customer.reason_required");
    EXPECT_EQ(api("POST", path, {{"owner_id", zhang}, {"reason", std::string(501, 'x')}}, manager).errorCode(), "customer.reason_required");
    EXPECT_EQ(api("POST", path, {{"owner_id", userId("receptionist")}, {"reason", "判客"}}, manager).errorCode(),
              "customer.owner_not_consultant");
    EXPECT_EQ(api("POST", path, {{"owner_id", "zhang"}, {"reason", "判客"}}, manager).errorCode(), "customer.invalid");
    EXPECT_EQ(api("POST", path, {{"owner_id", zhang}, {"reason", "判客"}}, login(kernel->port(), "consultant2")).status, 403);
    auto ruled = api("POST", path, {{"owner_id", zhang}, {"reason", "判客：首次到访由张伟接待"}}, manager);
    ASSERT_EQ(ruled.status, 200) << ruled.body;
    EXPECT_EQ(ruled.json()["owner_id"], zhang);
    EXPECT_EQ(auditActions().front(), "customer.owner.change");
}

TEST_F(Core, TheRosterAndTeamsRefuseWhatTheyCannotHold) {
    const auto zhang = std::to_string(userId("consultant1"));
    EXPECT_EQ(api("PUT", "/roster/" + zhang, {{"status", "sleeping"}}, manager).errorCode(), "roster.invalid");
    EXPECT_EQ(api("PUT", "/roster/" + zhang, {{"weight", 11}}, manager).errorCode(), "roster.invalid");
    EXPECT_EQ(api("PUT", "/roster/" + zhang, {{"weight", "2"}}, manager).errorCode(), "roster.invalid");
    EXPECT_EQ(api("PUT", "/roster/" + zhang, {{"team_id", 999}}, manager).errorCode(), "roster.invalid");
    EXPECT_EQ(api("PUT", "/roster/" + std::to_string(userId("receptionist")), {{"status", "on_duty"}}, manager).errorCode(),
              "roster.not_consultant");
    EXPECT_EQ(api("PUT", "/roster/" + zhang, {{"status", "absent"}}, login(kernel->port(), "consultant1")).status, 403);

    EXPECT_EQ(api("POST", "/teams", {{"name", "一组"}}, manager).errorCode(), "roster.team_exists");
    EXPECT_EQ(api("POST", "/teams", {{"name", ""}}, manager).errorCode(), "roster.invalid");
    EXPECT_EQ(api("POST", "/teams", {{"name", "三组"}, {"position", "1"}}, manager).errorCode(), "roster.invalid");
    auto added = api("POST", "/teams", {{"name", "三组"}, {"position", 3}}, manager);
    ASSERT_EQ(added.status, 201) << added.body;
    EXPECT_EQ(api("PATCH", "/teams/999", {{"name", "四组"}}, manager).errorCode(), "roster.team_not_found");
}

TEST_F(Core, InventoryControlHoldsAUnitOnce) {
    const auto unit = firstUnit();
    const std::string path = "/units/" + unit["id"].dump();
    ASSERT_EQ(api("PATCH", path, {{"status", "held"}}, manager).status, 200);
    EXPECT_EQ(api("PATCH", path, {{"status", "held"}}, manager).errorCode(), "unit.not_available");
    EXPECT_EQ(api("PATCH", path, {{"status", "signed"}}, manager).errorCode(), "unit.invalid") << "deals sign units, not inventory control";
    EXPECT_EQ(api("PATCH", path, {{"list_price", -1}}, manager).errorCode(), "unit.invalid");
    EXPECT_EQ(api("PATCH", path, {{"list_price", "3000000"}}, manager).errorCode(), "unit.invalid");
    EXPECT_EQ(api("PATCH", path, {{"status", "available"}}, login(kernel->port(), "consultant1")).status, 403);
    EXPECT_EQ(api("PATCH", path, {{"status", "available"}}, manager).json()["status"], "available");
    EXPECT_EQ(api("PATCH", "/units/999999", {{"status", "held"}}, manager).errorCode(), "unit.not_found");
    // Every hold and release is on record, a refused one is not.
    const auto actions = auditActions();
    EXPECT_EQ(std::count(actions.begin(), actions.end(), "unit.hold"), 1);
    EXPECT_EQ(std::count(actions.begin(), actions.end(), "unit.release"), 1);
}

TEST_F(Core, ADealSubscribesSignsIsPaidAndOnlyManagersOrFinanceRefundIt) {
    const auto zhao = customerByPhone("13911110001");
    const auto unit = firstUnit();
    const std::string consultant = login(kernel->port(), "consultant2");
    EXPECT_EQ(api("POST", "/deals", {{"customer_id", zhao["id"]}, {"unit_id", unit["id"]}, {"amount", "50000"}}, consultant).errorCode(),
              "deal.invalid");
    EXPECT_EQ(api("POST", "/deals", {{"customer_id", 999999}, {"unit_id", unit["id"]}, {"amount", 50000}}, consultant).errorCode(),
              "customer.not_found");
    auto deal = api("POST", "/deals", {{"customer_id", zhao["id"]}, {"unit_id", unit["id"]}, {"amount", 50000}}, consultant);
    ASSERT_EQ(deal.status, 201) << deal.body;
    EXPECT_EQ(api("POST", "/deals", {{"customer_id", zhao["id"]}, {"unit_id", unit["id"]}, {"amount", 50000}}, consultant).errorCode(),
              "unit.not_available") << "one unit is sold once";
    const std::string id = deal.json()["id"].dump();
    ASSERT_EQ(api("POST", "/deals/" + id + "/contract", nlohmann::json::object(), consultant).status, 200);
    EXPECT_EQ(api("POST", "/deals/" + id + "/contract", nlohmann::json::object(), consultant).errorCode(), "deal.not_signable");
    EXPECT_EQ(api("POST", "/deals/" + id + "/payments", {{"amount", 100000}, {"kind", "gift"}}, consultant).errorCode(), "deal.invalid");
    EXPECT_EQ(api("POST", "/deals/" + id + "/payments", {{"amount", 100000}, {"kind", "down_payment"}}, consultant).status, 201);

    EXPECT_EQ(api("POST", "/deals/" + id + "/refund", {{"reason", "客户退房"}}, consultant).status, 403);
    const std::string finance = login(kernel->port(), "finance");
    EXPECT_EQ(api("POST", "/deals/" + id + "/refund", nlohmann::json::object(), finance).errorCode(), "deal.reason_required");
    ASSERT_EQ(api("POST", "/deals/" + id + "/refund", {{"reason", "客户退房"}}, finance).status, 200);
    EXPECT_EQ(api("POST", "/deals/" + id + "/refund", {{"reason", "again"}}, finance).errorCode(), "deal.refunded");
    EXPECT_EQ(api("GET", "/units?status=available", nullptr, manager).json()["units"].size(),
              api("GET", "/units", nullptr, manager).json()["units"].size()) << "the refunded unit is for sale again";
    EXPECT_EQ(api("POST", "/deals/999999/contract", nlohmann::json::object(), consultant).errorCode(), "deal.not_found");
}

TEST_F(Core, TheProfileHoldsTheProtectionPeriod) {
    EXPECT_EQ(api("PUT", "/profile", {{"protection_days", 0}}, manager).errorCode(), "profile.invalid");
    EXPECT_EQ(api("PUT", "/profile", {{"protection_days", "30"}}, manager).errorCode(), "profile.invalid");
    EXPECT_EQ(api("PUT", "/profile", {{"profile", "滨江"}}, manager).errorCode(), "profile.invalid");
    EXPECT_EQ(api("PUT", "/profile", {{"protection_days", 15}}, login(kernel->port(), "consultant1")).status, 403);
    ASSERT_EQ(api("PUT", "/profile", {{"protection_days", 15}}, manager).status, 200);
    EXPECT_EQ(api("GET", "/profile", nullptr, login(kernel->port(), "consultant1")).json()["protection_days"], 15);
}
