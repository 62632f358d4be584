// The front desk through the HTTP API of a real anchangd with the core and registration plugins
// and the demo project: assignment, the register, calls, races, bad input, notifications.
#include "support/DemoProject.h"
#include "support/EventStream.h"
#include "support/Eventually.h"

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <set>

using namespace anchang::test;

namespace {

// The demo project with core and registration, as ./scripts/run has it (tests/support/DemoProject.h).
class Registration : public DemoProject {};

} // namespace

TEST_F(Registration, NewCustomersRotateReturningOnesGoToTheirOwner) {
    auto first = visit("13800001111");
    EXPECT_EQ(first["visit"]["number"], 1);
    EXPECT_EQ(first["visit"]["assignment"], "rotation");
    EXPECT_EQ(first["visit"]["receiver_name"], "张伟");
    EXPECT_FALSE(first["customer"]["returning"]);
    EXPECT_EQ(visit("13800002222")["visit"]["receiver_name"], "李娜"); // the next in the rotation

    // 赵先生 (13911110001) is consultant2 李娜's customer under protection.
    auto returning = visit("13911110001", "赵先生");
    EXPECT_EQ(returning["visit"]["assignment"], "returning");
    EXPECT_EQ(returning["visit"]["receiver_name"], "李娜");
    EXPECT_TRUE(returning["customer"]["returning"]);
    EXPECT_FALSE(returning["visit"]["counts_turn"]);
    EXPECT_EQ(visit("13800003333")["visit"]["receiver_name"], "刘洋"); // 李娜's returning customer did not use a turn

    // The front desk sees the warning before registering.
    auto lookup = api("GET", "/visits/lookup?phone=139-1111-0001").json();
    EXPECT_TRUE(lookup["known"]);
    EXPECT_EQ(lookup["owner"]["name"], "李娜");
    EXPECT_TRUE(lookup["customer"]["protected"]);
    EXPECT_FALSE(api("GET", "/visits/lookup?phone=13700000000").json()["known"]);
}

TEST_F(Registration, AnAbsentOwnersColleagueReceivesAndKeepsTheirTurn) {
    // 钱女士 (13911110002) belongs to consultant6 周婷, who is off duty in the demo.
    auto covered = visit("13911110002", "钱女士");
    EXPECT_EQ(covered["visit"]["assignment"], "covering");
    EXPECT_EQ(covered["visit"]["receiver_name"], "赵敏"); // a colleague from 周婷's team
    EXPECT_EQ(covered["visit"]["owner_name"], "周婷");
    EXPECT_EQ(covered["visit"]["on_behalf_of"], userId("consultant6"));
    EXPECT_EQ(covered["customer"]["owner_id"], userId("consultant6")); // the owner keeps the customer
    EXPECT_FALSE(covered["visit"]["counts_turn"]);
    // Rotation as if 赵敏 had not received anyone, except that she is with 钱女士 now: 张伟, 李娜,
    // 刘洋, then 孙磊, who is free; once she sees 钱女士 off, her turn comes before 孙磊's second.
    std::vector<std::string> receivers;
    for (const char* phone : {"13800000011", "13800000012", "13800000013", "13800000014"})
        receivers.push_back(visit(phone)["visit"]["receiver_name"]);
    EXPECT_EQ(receivers, (std::vector<std::string>{"张伟", "李娜", "刘洋", "孙磊"}));
    const std::string zhaomin = login(kernel->port(), "consultant4");
    ASSERT_EQ(api("POST", "/visits/" + covered["visit"]["id"].dump() + "/finish", nlohmann::json::object(), zhaomin).status, 200);
    EXPECT_EQ(visit("13800000015")["visit"]["receiver_name"], "赵敏");
}

TEST_F(Registration, TheRegisterHasNoGapsAndVoidsStayVisible) {
    for (const char* phone : {"13800000021", "13800000022", "13800000023"}) visit(phone);
    const std::int64_t second = api("GET", "/visits").json()["visits"][1]["id"];
    EXPECT_EQ(api("POST", "/visits/" + std::to_string(second) + "/void", {{"reason", "登记错误"}}).errorCode(), "auth.forbidden");
    EXPECT_EQ(api("POST", "/visits/" + std::to_string(second) + "/void", nlohmann::json::object(), manager).errorCode(), "visit.reason_required");
    auto voided = api("POST", "/visits/" + std::to_string(second) + "/void", {{"reason", "重复登记"}}, manager);
    ASSERT_EQ(voided.status, 200) << voided.body;
    EXPECT_EQ(voided.json()["status"], "void");
    EXPECT_EQ(voided.json()["voided_by_name"], "王丽（案场经理）"); // the name people know, not the login
    auto again = api("POST", "/visits/" + std::to_string(second) + "/void", {{"reason", "再注销"}}, manager);
    EXPECT_EQ(again.status, 409);
    EXPECT_EQ(again.errorCode(), "visit.already_void");
    EXPECT_EQ(visit("13800000024")["visit"]["number"], 4); // the voided number is not reused
    std::vector<int> numbers;
    const auto list = api("GET", "/visits").json();
    for (const auto& v : list["visits"]) numbers.push_back(v["number"]);
    EXPECT_EQ(numbers, (std::vector<int>{4, 3, 2, 1}));
    EXPECT_EQ(list["visits"][2]["void_reason"], "重复登记");
    const auto actions = auditActions();
    EXPECT_NE(std::find(actions.begin(), actions.end(), "visit.void"), actions.end());
}

TEST_F(Registration, InvalidRegistrationsAreRefused) {
    const std::vector<std::pair<std::string, nlohmann::json>> refused = {
        {"visit.phone_invalid", {{"phone", "1380000000"}, {"name", "x"}, {"questionnaire", {{"layout", "三室"}}}}},
        {"visit.phone_invalid", {{"phone", "12800000000"}, {"name", "x"}, {"questionnaire", {{"layout", "三室"}}}}},
        {"visit.phone_invalid", {{"phone", 13800000000}, {"name", "x"}, {"questionnaire", {{"layout", "三室"}}}}},
        {"visit.name_required", {{"phone", "13800000031"}, {"name", "  "}, {"questionnaire", {{"layout", "三室"}}}}},
        {"visit.layout_required", {{"phone", "13800000031"}, {"name", "x"}, {"questionnaire", {{"budget", "300万"}}}}},
        {"visit.invalid", {{"phone", "13800000031"}, {"name", "x"}, {"questionnaire", "三室"}}},
        // Wrong types answer 400 naming the field, never a 500.
        {"visit.invalid", {{"phone", "13800000031"}, {"name", "x"}, {"questionnaire", {{"layout", "三室"}}}, {"companions", "2"}}},
        {"visit.invalid", {{"phone", "13800000031"}, {"name", "x"}, {"questionnaire", {{"layout", "三室"}}}, {"companions", 21}}},
        {"visit.invalid", {{"phone", "13800000031"}, {"name", "x"}, {"questionnaire", {{"layout", "三室"}}}, {"phone_source", 1}}},
        {"visit.invalid", {{"phone", "13800000031"}, {"name", "x"}, {"questionnaire", {{"layout", "三室"}}}, {"phone_source", "fax"}}},
        {"visit.invalid", {{"phone", "13800000031"}, {"name", "x"}, {"questionnaire", {{"layout", "三室"}}}, {"extensions", 7}}},
        {"visit.invalid", {{"phone", "13800000031"}, {"name", "x"}, {"questionnaire", {{"layout", "三室"}}}, {"designated_consultant_id", "x"}}},
    };
    for (const auto& [code, body] : refused) EXPECT_EQ(api("POST", "/visits", body).errorCode(), code) << body.dump();
    auto badPhone = api("POST", "/visits", {{"phone", "abc"}, {"name", "x"}, {"questionnaire", {{"layout", "三室"}}}});
    EXPECT_EQ(badPhone.json()["error"]["message"], "手机号不正确，请输入 11 位手机号");
    EXPECT_EQ(http(kernel->port(), "POST", "/api/v1/projects/1/visits", "{", desk).errorCode(), "request.malformed_json");
    EXPECT_EQ(http(kernel->port(), "POST", "/api/v1/projects/1/visits", "[1]", desk).errorCode(), "request.expected_object");
    EXPECT_EQ(api("POST", "/visits", {{"phone", "13800000031"}, {"name", "x"}, {"questionnaire", {{"layout", "三室"}}}},
                  login(kernel->port(), "consultant1"))
                  .errorCode(),
              "auth.forbidden");
    EXPECT_TRUE(api("GET", "/visits").json()["visits"].empty()); // nothing half-registered
}

TEST_F(Registration, ARepeatedSubmissionIsAnsweredOnce) {
    const nlohmann::json body = {{"phone", "13800000041"}, {"name", "林先生"}, {"questionnaire", {{"layout", "三室"}}}};
    auto first = api("POST", "/visits", body, "", {{"Idempotency-Key", "desk1-0001"}});
    auto again = api("POST", "/visits", body, "", {{"Idempotency-Key", "desk1-0001"}});
    EXPECT_EQ(first.status, 201);
    EXPECT_EQ(again.status, 200);
    EXPECT_TRUE(again.json()["replayed"]);
    EXPECT_EQ(again.json()["visit"]["number"], first.json()["visit"]["number"]);
    auto changed = body;
    changed["name"] = "别人";
    EXPECT_EQ(api("POST", "/visits", changed, "", {{"Idempotency-Key", "desk1-0001"}}).errorCode(), "visit.idempotency_conflict");
    EXPECT_EQ(api("GET", "/visits").json()["visits"].size(), 1u);
}

TEST_F(Registration, TwoDesksRegisteringOneNewPhoneMakeOneCustomerAndOneOwner) {
    for (int round = 0; round < 3; ++round) {
        const std::string phone = "1380000005" + std::to_string(round);
        std::vector<std::future<HttpResult>> desks;
        for (int d = 0; d < 2; ++d)
            desks.push_back(std::async(std::launch::async, [&, d] {
                return api("POST", "/visits", {{"phone", phone}, {"name", "并发客户"}, {"questionnaire", {{"layout", "三室"}}}}, "",
                           {{"Idempotency-Key", "desk" + std::to_string(d) + "-" + phone}});
            }));
        std::set<std::int64_t> numbers, owners, customers;
        for (auto& f : desks) {
            auto r = f.get();
            ASSERT_TRUE(r.status == 201 || r.status == 200) << r.body;
            numbers.insert(r.json()["visit"]["number"].get<std::int64_t>());
            owners.insert(r.json()["visit"]["owner_id"].get<std::int64_t>());
            customers.insert(r.json()["customer"]["id"].get<std::int64_t>());
        }
        EXPECT_EQ(numbers.size(), 1u) << phone;
        EXPECT_EQ(owners.size(), 1u) << phone;
        EXPECT_EQ(customers.size(), 1u) << phone;
        EXPECT_EQ(api("GET", "/customers?phone=" + phone, nullptr, manager).json()["customers"].size(), 1u);
    }
    EXPECT_EQ(api("GET", "/visits").json()["visits"].size(), 3u);
}

TEST_F(Registration, TheProjectsAssignmentHookDecidesAndAFailingOneFallsBackToRotation) {
    auto create = [&](const std::string& source) {
        auto created = api("POST", "/scripts", {{"hook", "registration.assign"}, {"name", "rule"}, {"source", source}}, manager);
        EXPECT_EQ(created.status, 201) << created.body;
        const std::int64_t id = created.json()["id"];
        EXPECT_EQ(api("POST", "/scripts/" + std::to_string(id) + "/activate", {{"version", 1}}, manager).status, 200);
        return id;
    };
    const auto last = create("function (input) { var c = input.candidates[input.candidates.length - 1];"
                             " return {consultant_id: c.id, reason: '最后一位：' + c.name}; }");
    auto chosen = visit("13800000061");
    EXPECT_EQ(chosen["visit"]["assignment"], "hook");
    EXPECT_EQ(chosen["visit"]["receiver_name"], "孙磊");
    EXPECT_EQ(chosen["visit"]["assignment_reason"], "最后一位：孙磊");
    EXPECT_EQ(api("DELETE", "/scripts/" + std::to_string(last), nullptr, manager).status, 204);

    const auto throws = create("function () { throw new Error('规则错误'); }");
    auto fallback = visit("13800000062");
    EXPECT_EQ(fallback["visit"]["assignment"], "rotation");
    EXPECT_EQ(fallback["visit"]["receiver_name"], "张伟");
    api("DELETE", "/scripts/" + std::to_string(throws), nullptr, manager);
    const auto slow = create("function () { for (;;) {} }");
    EXPECT_EQ(visit("13800000063")["visit"]["assignment"], "rotation");
    api("DELETE", "/scripts/" + std::to_string(slow), nullptr, manager);
    const auto absent = create("function () { return {consultant_id: 999999}; }");
    EXPECT_EQ(visit("13800000064")["visit"]["assignment"], "rotation"); // not someone on duty
    api("DELETE", "/scripts/" + std::to_string(absent), nullptr, manager);
    // An empty reason would make core refuse the new owner: the hook's shape refuses it first.
    const auto silent = create("function (input) { return {consultant_id: input.candidates[0].id, reason: ''}; }");
    EXPECT_EQ(visit("13800000066")["visit"]["assignment"], "rotation");
    api("DELETE", "/scripts/" + std::to_string(silent), nullptr, manager);

    // The shipped example, dry-run on the hook's sample: 张伟 has 7 open tasks, 李娜 2.
    auto dry = api("POST", "/scripts/dry-run",
                   {{"hook", "registration.assign"}, {"source", KernelProcess::readSource("config/hooks/registration.assign.skip-busy-consultants.js")}},
                   manager)
                   .json();
    EXPECT_TRUE(dry["ok"]) << dry.dump();
    EXPECT_EQ(dry["output"]["consultant_id"], 5);
    // And live: no module tells open tasks here, so the rotation order stands.
    const auto example = create(KernelProcess::readSource("config/hooks/registration.assign.skip-busy-consultants.js"));
    auto live = visit("13800000065");
    EXPECT_EQ(live["visit"]["assignment"], "hook");
    api("DELETE", "/scripts/" + std::to_string(example), nullptr, manager);
}

TEST_F(Registration, WithNobodyOnDutyVisitorsQueueManagersAreAlertedAndTheQueueDrains) {
    for (const char* who : {"consultant1", "consultant2", "consultant3", "consultant4", "consultant5"}) setStatus(who, "off_duty");
    EventStream managers(kernel->port(), 1, "registration.queued", manager);
    auto queued = visit("13800000071");
    EXPECT_EQ(queued["visit"]["status"], "queued");
    EXPECT_TRUE(queued["visit"]["receiver_id"].is_null());
    // Everyone who may assign hears of it, with the board's masked phone, never the full one.
    const auto pushed = managers.next("registration.queued");
    ASSERT_TRUE(pushed) << managers.received();
    EXPECT_EQ((*pushed)["visit"]["phone"], "138****0071");
    EXPECT_EQ(managers.received().find("13800000071"), std::string::npos);
    nlohmann::json alerts;
    ASSERT_TRUE(eventually([&] { return !(alerts = api("GET", "/alerts", nullptr, manager).json()["alerts"]).empty(); }));
    EXPECT_EQ(alerts[0]["kind"], "registration.queued");
    EXPECT_EQ(alerts[0]["title"]["zh-CN"], "来访客户排队"); // words, not the code
    EventStream bell(kernel->port(), 1, "kernel.alerts", manager);

    setStatus("consultant3", "on_duty");
    nlohmann::json drained;
    EXPECT_TRUE(eventually([&] { return (drained = api("GET", "/visits/" + queued["visit"]["id"].dump()).json())["status"] == "waiting"; }));
    EXPECT_EQ(drained["receiver_name"], "刘洋");
    EXPECT_EQ(api("GET", "/customers?phone=13800000071", nullptr, manager).json()["customers"][0]["owner_id"], userId("consultant3"));
    // The visitor has someone now: the alert closes by itself, on every manager's open page at once.
    EXPECT_TRUE(api("GET", "/alerts", nullptr, manager).json()["alerts"].empty());
    const auto closed = bell.next("kernel.alerts");
    ASSERT_TRUE(closed) << bell.received();
    EXPECT_EQ((*closed)["event"], "closed");
    EXPECT_EQ((*closed)["ids"][0], alerts[0]["id"]);
}

TEST_F(Registration, AVoidedFakeRegistrationLeavesTheCustomerFree) {
    auto fake = visit("13800000081", "假客户");
    const auto customerPath = "/customers/" + fake["customer"]["id"].dump();
    EXPECT_TRUE(api("GET", customerPath, nullptr, manager).json()["protected"]);
    auto voided = api("POST", "/visits/" + fake["visit"]["id"].dump() + "/void", {{"reason", "虚假登记"}}, manager);
    ASSERT_EQ(voided.status, 200) << voided.body;
    EXPECT_TRUE(voided.json()["undone"]["owner_released"]);
    const auto customer = api("GET", customerPath, nullptr, manager).json();
    EXPECT_TRUE(customer["owner_id"].is_null());
    EXPECT_FALSE(customer["protected"]);
    EXPECT_EQ(customer["visits"], 0);
    // The buyer who really comes goes through the rotation like a new customer (张伟 got his
    // turn back with the void), not to a consultant the fake registration locked them to.
    auto real = visit("13800000081", "真客户");
    EXPECT_EQ(real["visit"]["assignment"], "rotation");
    EXPECT_TRUE(real["visit"]["gave_owner"]);
    EXPECT_EQ(real["customer"]["owner_id"], userId("consultant1"));
    const auto actions = auditActions();
    EXPECT_NE(std::find(actions.begin(), actions.end(), "customer.owner.change"), actions.end());

    // A returning customer's visit gave nothing: voiding it takes back only the visit.
    auto returning = visit("13911110001", "赵先生");
    voided = api("POST", "/visits/" + returning["visit"]["id"].dump() + "/void", {{"reason", "重复登记"}}, manager);
    EXPECT_FALSE(voided.json()["undone"]["owner_released"]);
    EXPECT_EQ(api("GET", "/customers/" + returning["customer"]["id"].dump(), nullptr, manager).json()["owner_id"], userId("consultant2"));
}

TEST_F(Registration, NineDesksAtOnceStillSplitTheTurnsEvenly) {
    setStatus("consultant4", "off_duty");
    setStatus("consultant5", "off_duty");
    for (int round = 0; round < 6; ++round) {
        std::vector<std::future<HttpResult>> desks;
        for (int d = 0; d < 9; ++d)
            desks.push_back(std::async(std::launch::async, [&, d] {
                const std::string phone = "1370000" + std::to_string(round) + std::to_string(d) + "00";
                return api("POST", "/visits", {{"phone", phone}, {"name", "并发客户"}, {"questionnaire", {{"layout", "三室"}}}});
            }));
        std::map<std::string, int> split;
        for (auto& f : desks) {
            auto r = f.get();
            ASSERT_EQ(r.status, 201) << r.body;
            ++split[r.json()["visit"]["receiver_name"].get<std::string>()];
        }
        EXPECT_EQ(split, (std::map<std::string, int>{{"张伟", 3}, {"李娜", 3}, {"刘洋", 3}})) << "round " << round;
    }
}

TEST_F(Registration, ConsultantsCannotChangeSourceOrFirstVisitManagersCanWithAnAudit) {
    const auto customer = visit("13800000081")["customer"]["id"].dump();
    const std::string consultant = login(kernel->port(), "consultant1");
    EXPECT_EQ(api("PATCH", "/customers/" + customer + "/origin", {{"source", "channel"}, {"reason", "我带来的"}}, consultant).errorCode(),
              "auth.forbidden");
    EXPECT_EQ(api("PATCH", "/customers/" + customer + "/origin", {{"source", "channel"}}, manager).errorCode(), "customer.invalid");
    auto changed = api("PATCH", "/customers/" + customer + "/origin", {{"source", "referral"}, {"reason", "老业主推荐，核实无误"}}, manager);
    ASSERT_EQ(changed.status, 200) << changed.body;
    EXPECT_EQ(changed.json()["source"], "referral");
    auto risk = api("PATCH", "/customers/" + customer + "/origin", {{"first_visit_at", 1795000000000}, {"reason", "按纸质登记簿更正"}},
                    login(kernel->port(), "risk"));
    EXPECT_EQ(risk.status, 200) << risk.body;
    const auto actions = auditActions();
    EXPECT_EQ(std::count(actions.begin(), actions.end(), "customer.origin.change"), 2);
}

TEST_F(Registration, TheReceiverIsNotifiedAtOnceOnTheirOpenPage) {
    // 张伟 is first in the rotation; his phone page has the event stream open.
    const std::string token = login(kernel->port(), "consultant1");
    EventStream phone(kernel->port(), 1, "registration.assigned", token);
    EXPECT_NE(phone.received().find("text/event-stream"), std::string::npos);
    const auto registered = visit("13800000091", "周先生");
    ASSERT_EQ(registered["visit"]["receiver_name"], "张伟");
    const auto pushed = phone.next("registration.assigned");
    ASSERT_TRUE(pushed) << "no notification arrived";
    EXPECT_EQ((*pushed)["visit"]["name"], "周先生");
    // The consultant who receives the customer gets the full phone, to call them.
    EXPECT_EQ((*pushed)["visit"]["phone"], "13800000091");
    // A stream asks for event names; anything else is refused.
    EXPECT_EQ(http(kernel->port(), "GET", "/api/v1/projects/1/events?topics=Bad%20Topic", "", token).errorCode(), "events.invalid_topic");
}

TEST_F(Registration, CallsAreKeptApartFromVisits) {
    auto call = api("POST", "/calls", {{"phone", "13800000101"}, {"name", "电话咨询"}, {"notes", "问价格"}});
    ASSERT_EQ(call.status, 201) << call.body;
    EXPECT_EQ(api("POST", "/calls", {{"phone", "110"}}).errorCode(), "call.phone_invalid");
    EXPECT_EQ(api("GET", "/calls").json()["calls"].size(), 1u);
    EXPECT_TRUE(api("GET", "/visits").json()["visits"].empty());
    EXPECT_TRUE(api("GET", "/customers?phone=13800000101", nullptr, manager).json()["customers"].empty());
}

TEST_F(Registration, CustomFieldsOtherModulesAndVisibility) {
    // The shipped "意向楼栋" example on the real visit form.
    auto example = nlohmann::json::parse(KernelProcess::readSource("config/forms/registration.visit.intended-building.json"));
    ASSERT_EQ(api("PUT", "/forms/registration.visit/fields", {{"fields", example["fields"]}}, manager).status, 200);
    auto withField = visit("13800000111", "吴先生", {{"custom", {{"intended_building", "2号楼"}}}, {"extensions", {{"channel", {{"code", "BJ-1"}}}}}});
    EXPECT_EQ(withField["visit"]["custom"]["intended_building"], "2号楼");
    // No module contributes to registration.visit.check in this deployment: nothing was asked,
    // nothing failed (tests/integration/ModulesMeetTest.cpp runs one that does).
    EXPECT_TRUE(withField["checks"].empty());
    EXPECT_TRUE(withField["visit"]["checks"].empty());
    auto wrong = api("POST", "/visits", {{"phone", "13800000112"}, {"name", "x"}, {"questionnaire", {{"layout", "三室"}}},
                                         {"custom", {{"intended_building", "9号楼"}}}});
    EXPECT_EQ(wrong.status, 400);
    EXPECT_EQ(wrong.errorCode(), "visit.invalid_fields");
    EXPECT_EQ(wrong.json()["error"]["fields"][0]["field"], "intended_building");

    // Consultants see the visitors they received, nobody else's.
    visit("13800000113");
    const auto mine = api("GET", "/visits", nullptr, login(kernel->port(), "consultant2")).json()["visits"];
    const auto all = api("GET", "/visits", nullptr, manager).json()["visits"];
    const auto hers = std::count_if(all.begin(), all.end(), [](const nlohmann::json& v) { return v["receiver_name"] == "李娜"; });
    ASSERT_LT(hers, static_cast<std::ptrdiff_t>(all.size())) << "the register has other consultants' visitors too";
    EXPECT_EQ(static_cast<std::ptrdiff_t>(mine.size()), hers);
    for (const auto& v : mine) EXPECT_EQ(v["receiver_name"], "李娜");
}

TEST_F(Registration, ReceivingTheBoardAndReports) {
    const auto a = visit("13800000121");
    visit("13911110001", "赵先生");
    const std::string consultant = login(kernel->port(), "consultant1");
    EXPECT_EQ(api("POST", "/visits/" + a["visit"]["id"].dump() + "/receive", nlohmann::json::object(), login(kernel->port(), "consultant2"))
                  .errorCode(),
              "visit.not_yours");
    auto received = api("POST", "/visits/" + a["visit"]["id"].dump() + "/receive", nlohmann::json::object(), consultant);
    EXPECT_EQ(received.json()["status"], "received");
    EXPECT_EQ(api("POST", "/visits/" + a["visit"]["id"].dump() + "/receive", nlohmann::json::object(), consultant).errorCode(),
              "visit.not_waiting");
    auto mine = api("GET", "/registration/mine", nullptr, consultant).json();
    EXPECT_EQ(mine["today"].size(), 1u);

    auto board = api("GET", "/registration/board", nullptr, consultant).json();
    EXPECT_EQ(board["totals"]["visits"], 2);
    EXPECT_EQ(board["totals"]["returning"], 1);
    EXPECT_EQ(board["arrivals"][0]["phone"], "139****0001"); // masked on the big screen

    auto reports = api("GET", "/registration/reports", nullptr, manager).json();
    EXPECT_EQ(reports["visits"], 2);
    EXPECT_EQ(reports["days"][0]["by_source"]["natural"], 2);
    EXPECT_DOUBLE_EQ(reports["returning_rate"].get<double>(), 0.5);
    auto csv = api("GET", "/registration/reports?format=csv", nullptr, manager);
    EXPECT_EQ(csv.headers["Content-Type"], "text/csv; charset=utf-8");
    EXPECT_TRUE(csv.body.starts_with("\xEF\xBB\xBF日期,来访"));
    auto register_csv = api("GET", "/visits?format=csv", nullptr, manager);
    EXPECT_NE(register_csv.body.find("赵先生"), std::string::npos);
    EXPECT_NE(register_csv.body.find("\"老客户归属\""), std::string::npos) << "codes are written as people read them";
    EXPECT_EQ(register_csv.body.find("\"returning\""), std::string::npos);
    EXPECT_EQ(api("GET", "/registration/reports?from=2026-13-01&to=2026-13-02", nullptr, manager).errorCode(), "report.invalid_range");
    EXPECT_EQ(api("GET", "/registration/reports?from=2026-02-30&to=2026-03-01", nullptr, manager).errorCode(), "report.invalid_range");
    EXPECT_EQ(api("GET", "/registration/reports?from=2026-11-02&to=2026-11-01", nullptr, manager).errorCode(), "report.invalid_range");
}

TEST_F(Registration, AManagerAssignsAQueuedVisitorByHandWithAReason) {
    for (const char* who : {"consultant1", "consultant2", "consultant3", "consultant4", "consultant5"}) setStatus(who, "off_duty");
    const auto queued = visit("13800000131")["visit"];
    ASSERT_EQ(queued["status"], "queued");
    const std::string path = "/visits/" + queued["id"].dump() + "/assign";
    const auto zhou = userId("consultant6");
    EXPECT_EQ(api("POST", path, {{"consultant_id", zhou}}, manager).errorCode(), "visit.reason_required");
    EXPECT_EQ(api("POST", path, {{"consultant_id", zhou}, {"reason", std::string(501, 'x')}}, manager).errorCode(), "visit.reason_required")
        << "refused before anything changes: core would refuse so long a reason after the register moved";
    EXPECT_EQ(api("POST", path, {{"consultant_id", "周婷"}, {"reason", "经理指派"}}, manager).errorCode(), "visit.invalid");
    EXPECT_EQ(api("POST", path, {{"consultant_id", userId("receptionist")}, {"reason", "经理指派"}}, manager).errorCode(),
              "visit.not_consultant");
    EXPECT_EQ(api("POST", path, {{"consultant_id", zhou}, {"reason", "经理指派"}}).status, 403) << "the desk does not assign";
    EXPECT_EQ(api("POST", "/visits/999999/assign", {{"consultant_id", zhou}, {"reason", "经理指派"}}, manager).errorCode(), "visit.not_found");
    EXPECT_EQ(api("GET", "/visits/" + queued["id"].dump()).json()["status"], "queued") << "no refusal changed the visit";

    auto assigned = api("POST", path, {{"consultant_id", zhou}, {"reason", "经理指派：周婷熟悉该客户"}}, manager);
    ASSERT_EQ(assigned.status, 200) << assigned.body;
    EXPECT_EQ(assigned.json()["receiver_name"], "周婷");
    EXPECT_EQ(assigned.json()["assignment"], "manual");
    EXPECT_EQ(api("GET", "/customers?phone=13800000131", nullptr, manager).json()["customers"][0]["owner_id"], zhou);
    const auto actions = auditActions();
    EXPECT_NE(std::find(actions.begin(), actions.end(), "visit.assign"), actions.end());

    ASSERT_EQ(api("POST", "/visits/" + queued["id"].dump() + "/receive", nlohmann::json::object(), login(kernel->port(), "consultant6")).status, 200);
    EXPECT_EQ(api("POST", path, {{"consultant_id", zhou}, {"reason", "again"}}, manager).errorCode(), "visit.not_assignable");
}

TEST_F(Registration, QueriesAndCallsRefuseBadInputWithoutA500) {
    EXPECT_EQ(api("GET", "/visits/lookup?phone=abc").errorCode(), "visit.phone_invalid");
    EXPECT_EQ(api("GET", "/visits?day=2026-13-01").errorCode(), "request.invalid");
    EXPECT_EQ(api("GET", "/visits?limit=10abc").errorCode(), "request.invalid");
    EXPECT_EQ(api("GET", "/visits/999999").errorCode(), "visit.not_found");
    EXPECT_EQ(api("GET", "/calls?day=yesterday", nullptr, manager).errorCode(), "request.invalid");

    EXPECT_EQ(api("POST", "/calls", {{"phone", "13800000141"}, {"name", std::string(2001, 'x')}}).errorCode(), "call.invalid");
    EXPECT_EQ(api("POST", "/calls", {{"phone", "13800000141"}, {"questionnaire", "三室"}}).errorCode(), "call.invalid");
    EXPECT_EQ(api("POST", "/calls", {{"phone", "13800000141"}, {"consultant_id", "x"}}).errorCode(), "call.invalid");
    EXPECT_EQ(api("POST", "/calls", {{"phone", "1380000014"}}).errorCode(), "call.phone_invalid");
    auto call = api("POST", "/calls", {{"phone", "13800000141"}, {"name", nullptr}, {"notes", nullptr}});
    ASSERT_EQ(call.status, 201) << call.body;
    EXPECT_TRUE(call.json()["name"].is_null());
    EXPECT_EQ(api("POST", "/calls", {{"phone", "13800000141"}}, login(kernel->port(), "finance")).status, 403);
}

TEST_F(Registration, ConsultantsReadOnlyTheVisitsTheyReceived) {
    const auto zhang = visit("13800000151")["visit"]; // 张伟, first in the rotation
    ASSERT_EQ(zhang["receiver_name"], "张伟");
    const std::string lina = login(kernel->port(), "consultant2");
    EXPECT_EQ(api("GET", "/visits/" + zhang["id"].dump(), nullptr, lina).errorCode(), "visit.not_found");
    EXPECT_EQ(api("GET", "/visits/" + zhang["id"].dump(), nullptr, login(kernel->port(), "consultant1")).status, 200);
    EXPECT_EQ(api("POST", "/visits/" + zhang["id"].dump() + "/receive", nlohmann::json::object(), lina).errorCode(), "visit.not_yours");
    // A supervisor may start receiving on anyone's behalf.
    EXPECT_EQ(api("POST", "/visits/" + zhang["id"].dump() + "/receive", nlohmann::json::object(), login(kernel->port(), "supervisor")).status,
              200);
}
