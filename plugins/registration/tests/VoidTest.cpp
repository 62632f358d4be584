// What a void undoes, on the SDK's test host: the desk's request to core (a fake that records
// it) says which owner to release and what to restore, and the audit keeps it.
#include "Assignment.h"
#include "LocalDay.h"
#include "Register.h"
#include "VisitDesk.h"

#include <anchang/sdk/testing/TestHost.hpp>
#include <gtest/gtest.h>

using namespace anchang::registration;
using anchang::sdk::testing::TestHost;

namespace {

constexpr std::int64_t kMinute = 60 * 1000;

struct Void : ::testing::Test {
    TestHost test{{.manifest = ANCHANG_REGISTRATION_DIR "/plugin.json"}};
    LocalDay day{test.host()};
    Register visits{test.host(), day};
    Assignment assignment{test.host(), day, visits, {}};
    VisitDesk desk{test.host(), assignment, visits, 10 * kMinute};
    std::vector<nlohmann::json> asked; // what core.customer.visit_voided was asked
    bool ownerStillTheVisits = true;   // core releases only while the visit's owner is still the owner

    void SetUp() override {
        test.migrate(ANCHANG_REGISTRATION_DIR "/migrations");
        test.fake("core.customer.visit_voided", [this](const nlohmann::json& body, std::int64_t) {
            asked.push_back(body);
            const bool released = body.contains("release") && ownerStillTheVisits;
            const nlohmann::json owner = released ? body["release"]["owner_before"] : nlohmann::json(4);
            return nlohmann::json{{"customer", {{"id", body["customer_id"]}, {"visits", 0}, {"owner_id", owner}, {"protection_until", nullptr}}},
                                  {"owner_released", released}};
        });
    }
    std::int64_t store(std::int64_t customer, std::int64_t owner, bool gaveOwner, const nlohmann::json& ownerBefore = nullptr) {
        std::int64_t id = 0;
        test.host().db().transaction([&] {
            id = visits.insert(1, {{"customer_id", customer}, {"phone", "13900001111"}, {"phone_source", "typed"}, {"name", "王先生"},
                                   {"gender", nullptr}, {"returning", !gaveOwner}, {"receiver_id", owner}, {"receiver_name", "张伟"},
                                   {"owner_id", owner}, {"owner_name", "张伟"}, {"on_behalf_of", nullptr},
                                   {"assignment", gaveOwner ? "rotation" : "returning"}, {"assignment_reason", ""}, {"counts_turn", gaveOwner},
                                   {"questionnaire", nlohmann::json::object()}, {"custom", nlohmann::json::object()},
                                   {"checks", nlohmann::json::object()}, {"source", "natural"}, {"companions", 0}, {"status", "waiting"},
                                   {"registered_by", 1}, {"registered_at", test.now()}, {"gave_owner", gaveOwner},
                                   {"owner_before", ownerBefore}, {"protection_before", nullptr}});
        });
        test.advance(kMinute);
        return id;
    }
    nlohmann::json voidIt(std::int64_t id) { return desk.voidVisit(1, id, "假登记", {2, "manager", "王丽"}); }
};

} // namespace

TEST_F(Void, AFakeFirstVisitReleasesTheCustomerItLocked) {
    const auto voided = voidIt(store(9, 4, true));
    ASSERT_EQ(asked.size(), 1u);
    EXPECT_EQ(asked[0]["release"]["owner_id"], 4);
    EXPECT_TRUE(asked[0]["release"]["owner_before"].is_null()); // a new customer had nobody before
    EXPECT_TRUE(asked[0]["last_visit_at"].is_null());           // and no visit is left
    EXPECT_TRUE(voided["undone"]["owner_released"]);
    EXPECT_EQ(voided["status"], "void");
    EXPECT_EQ(test.audit().back()["action"], "visit.void");
    EXPECT_TRUE(test.audit().back()["detail"]["undone"]["owner_released"]);
}

TEST_F(Void, ALaterVisitForTheSameOwnerHoldsTheOwnership) {
    const auto first = store(9, 4, true);
    const auto later = store(9, 4, false);
    const auto voided = voidIt(first);
    EXPECT_FALSE(asked[0].contains("release"));
    EXPECT_EQ(asked[0]["last_visit_at"], visits.get(1, later)["registered_at"]);
    EXPECT_FALSE(voided["undone"]["owner_released"]);
    EXPECT_EQ(voided["undone"]["held_by"], visits.get(1, later)["number"]);
}

TEST_F(Void, AnExpiredCustomerGoesBackToTheOwnerItHadAndARulingSinceStands) {
    EXPECT_EQ(voidIt(store(9, 4, true, 6))["undone"]["owner_released"], true); // protection had lapsed with 6
    EXPECT_EQ(asked[0]["release"]["owner_before"], 6);
    const auto again = store(10, 4, true);
    ownerStillTheVisits = false; // a supervisor ruled the customer to someone else meanwhile
    const auto voided = voidIt(again);
    EXPECT_FALSE(voided["undone"]["owner_released"]);
    EXPECT_TRUE(voided["undone"]["owner_moved_since"]);
}

TEST_F(Void, AVisitThatGaveNoOwnerOnlyUncountsAndASecondVoidIsRefused) {
    const auto id = store(9, 4, false);
    voidIt(id);
    EXPECT_FALSE(asked[0].contains("release"));
    EXPECT_THROW(voidIt(id), anchang::sdk::Error);
    EXPECT_EQ(asked.size(), 1u);
}

TEST_F(Void, AnOwnerAVoidedVisitGaveIsNotRestored) {
    const auto first = store(9, 4, true);     // a fake visit gave 张伟 (4) the new customer
    const auto second = store(9, 5, true, 4); // protection lapsed; the next visit gave 李娜 (5)
    voidIt(first);
    voidIt(second);
    ASSERT_EQ(asked.size(), 2u);
    // Back to before the first visit, not to 张伟, whom only the voided visit had made owner.
    EXPECT_TRUE(asked[1]["release"]["owner_before"].is_null());
}
