// The register's duplicate window on the SDK's test host: registration's real migrations in an
// in-memory SQLite, the clock moved by the test. No anchangd.
#include "LocalDay.h"
#include "Register.h"

#include <anchang/sdk/testing/TestHost.hpp>
#include <gtest/gtest.h>

using anchang::registration::LocalDay;
using anchang::registration::Register;
using anchang::sdk::testing::TestHost;

namespace {

constexpr std::int64_t kWindow = 10 * 60 * 1000;

struct VisitWindow : ::testing::Test {
    TestHost test{{.manifest = ANCHANG_REGISTRATION_DIR "/plugin.json"}};
    LocalDay day{test.host()};
    Register visits{test.host(), day};

    void SetUp() override { test.migrate(ANCHANG_REGISTRATION_DIR "/migrations"); }

    /// What the desk does in its transaction: take the window, look for a recent visit, insert.
    nlohmann::json registerVisit(std::int64_t customer) {
        nlohmann::json duplicate;
        test.host().db().transaction([&] {
            visits.openWindow(1, customer, kWindow);
            duplicate = visits.recent(1, customer, kWindow);
            if (!duplicate.is_null()) return;
            const auto id = visits.insert(1, {{"customer_id", customer}, {"phone", "13900001111"}, {"phone_source", "typed"}, {"name", "王先生"},
                                              {"gender", nullptr}, {"returning", false}, {"receiver_id", nullptr}, {"receiver_name", nullptr},
                                              {"owner_id", nullptr}, {"owner_name", nullptr}, {"on_behalf_of", nullptr}, {"assignment", "rotation"},
                                              {"assignment_reason", ""}, {"counts_turn", true}, {"questionnaire", nlohmann::json::object()},
                                              {"custom", nlohmann::json::object()}, {"checks", nlohmann::json::array()}, {"source", "natural"},
                                              {"companions", 0}, {"status", "queued"}, {"registered_by", 1}, {"registered_at", test.now()}});
            duplicate = nullptr;
            (void)id;
        });
        return duplicate;
    }
    std::int64_t window(std::int64_t customer, const char* column) {
        return test.host().db().query(std::string("SELECT ") + column + " AS v FROM registration_visit_windows WHERE customer_id = ?", {customer})[0]["v"];
    }
};

} // namespace

TEST_F(VisitWindow, ASecondRegistrationInsideTheWindowIsTheFirstOne) {
    EXPECT_TRUE(registerVisit(7).is_null());
    const auto first = visits.recent(1, 7, kWindow);
    EXPECT_EQ(window(7, "visit_id"), first["id"]);
    EXPECT_EQ(window(7, "open_until"), test.now() + kWindow);
    test.advance(kWindow - 1);
    EXPECT_EQ(registerVisit(7)["id"], first["id"]);
    test.advance(1);
    EXPECT_TRUE(registerVisit(7).is_null()); // the window passed: a new visit
    EXPECT_NE(window(7, "visit_id"), first["id"]);
}

TEST_F(VisitWindow, AVoidOpensTheWindowAgain) {
    EXPECT_TRUE(registerVisit(8).is_null());
    const auto visit = visits.recent(1, 8, kWindow);
    visits.voidVisit(1, visit["id"], "登记错了", {1, "manager", "王丽"});
    EXPECT_EQ(window(8, "open_until"), 0);
    EXPECT_TRUE(registerVisit(8).is_null());
    EXPECT_THROW(visits.voidVisit(1, visit["id"], "again", {1, "manager", "王丽"}), anchang::sdk::Error);
}
