// Phone + one-time code sign-in through a real anchangd: the code leaves through the operator's
// SMS webhook (a receiver in this process), is stored and shown only masked, signs the phone in
// as the role a module offers in that project only, and is refused when wrong, spent, expired
// or tried too often; asking is limited per phone and per address, and the answers never tell
// whether a phone is known.
#include "support/DemoProject.h"
#include "support/Eventually.h"
#include "support/WebhookReceiver.h"

#include <gtest/gtest.h>

#include <regex>

using namespace anchang::test;

namespace {

class CodeSignIn : public DemoProject {
protected:
    void configure(KernelProcess::Options& options) override {
        options.alsoPlugins = {KernelProcess::binaryDir() / "module-fixtures" / "herald"};
        for (const std::string& setting : {std::string("test.clock=true"), std::string("notify.channels=log,webhook"),
                                           "notify.webhook.url=http://127.0.0.1:" + std::to_string(hook.port()) + "/sms",
                                           std::string("notify.webhook.secret=a-shared-webhook-secret")})
            options.settings.push_back(setting);
    }
    void SetUp() override {
        DemoProject::SetUp();
        admin = login(kernel->port(), "admin");
    }
    static nlohmann::json asking(const std::string& phone, const std::string& role = "guest", std::int64_t project = 1) {
        return {{"phone", phone}, {"project_id", project}, {"role", role}};
    }
    HttpResult ask(const std::string& phone, const std::string& role = "guest", std::int64_t project = 1) {
        return http(kernel->port(), "POST", "/api/v1/auth/code", asking(phone, role, project).dump());
    }
    HttpResult verify(const std::string& phone, const std::string& code, std::int64_t project = 1) {
        auto body = asking(phone, "guest", project);
        body["code"] = code;
        return http(kernel->port(), "POST", "/api/v1/auth/code/verify", body.dump());
    }
    /// The code in the newest text the SMS gateway received for `phone`.
    std::string codeSentTo(const std::string& phone) {
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
        return code;
    }
    void advance(std::int64_t ms) {
        ASSERT_EQ(http(kernel->port(), "POST", "/api/v1/test/clock/advance", nlohmann::json{{"ms", ms}}.dump(), admin).status, 200);
    }

    WebhookReceiver hook;
    std::string admin;
};

} // namespace

TEST_F(CodeSignIn, ACodeSignsAPhoneInAsTheOfferedRoleInThatProjectOnly) {
    const auto asked = ask("13912345678");
    ASSERT_EQ(asked.status, 202) << asked.body;
    EXPECT_EQ(asked.json()["expires_in"], 300);
    const std::string code = codeSentTo("13912345678");
    ASSERT_EQ(code.size(), 6u);

    // Stored and shown to admins masked; the gateway got the real text.
    const auto notes = http(kernel->port(), "GET", "/api/v1/notifications", "", admin).json()["notifications"];
    ASSERT_FALSE(notes.empty());
    EXPECT_EQ(notes[0]["template"], "kernel.sign_in_code");
    EXPECT_EQ(notes[0]["text"].get<std::string>().find(code), std::string::npos) << notes[0]["text"];
    EXPECT_NE(notes[0]["text"].get<std::string>().find("******"), std::string::npos);

    const auto signedIn = verify("13912345678", code);
    ASSERT_EQ(signedIn.status, 200) << signedIn.body;
    const std::string token = signedIn.json()["token"];
    const auto me = http(kernel->port(), "GET", "/api/v1/auth/me", "", token).json();
    EXPECT_EQ(me["username"], "phone:13912345678");
    EXPECT_EQ(me["display_name"], "139****5678");
    EXPECT_TRUE(me["roles"].empty()); // no global role
    ASSERT_EQ(me["projects"].size(), 1u);
    EXPECT_EQ(me["projects"][0]["id"], 1);
    // A guest is no staff member: the project's customers stay closed to them.
    EXPECT_EQ(http(kernel->port(), "GET", "/api/v1/projects/1/customers", "", token).status, 403);

    // Spent: the same code does not open a second session.
    EXPECT_EQ(verify("13912345678", code).errorCode(), "auth.code_invalid");
    // And no password opens this account.
    EXPECT_EQ(http(kernel->port(), "POST", "/api/v1/auth/login", R"({"username":"phone:13912345678","password":"!"})").status, 401);
}

TEST_F(CodeSignIn, AStaffMembersPhoneGetsAnAccountApartFromTheStaffOne) {
    ASSERT_EQ(ask("13800000001").status, 202); // consultant1's phone
    const auto signedIn = verify("13800000001", codeSentTo("13800000001"));
    ASSERT_EQ(signedIn.status, 200) << signedIn.body;
    const auto me = http(kernel->port(), "GET", "/api/v1/auth/me", "", signedIn.json()["token"].get<std::string>()).json();
    EXPECT_EQ(me["username"], "phone:13800000001");
    EXPECT_NE(me["id"], userId("consultant1"));
}

TEST_F(CodeSignIn, TheAnswersDoNotTellWhetherAPhoneIsKnown) {
    ASSERT_EQ(ask("13800000002").status, 202); // a staff phone
    const auto first = verify("13800000002", codeSentTo("13800000002"));
    ASSERT_EQ(first.status, 200);
    advance(61000);
    const auto known = ask("13800000002");
    const auto stranger = ask("13700000000");
    EXPECT_EQ(known.status, stranger.status);
    EXPECT_EQ(known.body, stranger.body);
    const auto knownWrong = verify("13800000002", "000000");
    const auto strangerWrong = verify("13700000000", "000000");
    EXPECT_EQ(knownWrong.status, 401);
    EXPECT_EQ(knownWrong.errorCode(), strangerWrong.errorCode());
    // Asking for a phone nobody ever asked for answers the same as a wrong code.
    EXPECT_EQ(verify("13600000000", "123456").errorCode(), "auth.code_invalid");
}

TEST_F(CodeSignIn, FiveTriesThenTheCodeIsDead) {
    ASSERT_EQ(ask("13911110000").status, 202);
    const std::string code = codeSentTo("13911110000");
    const std::string wrong = code == "111111" ? "222222" : "111111";
    for (int i = 0; i < 5; ++i) EXPECT_EQ(verify("13911110000", wrong).errorCode(), "auth.code_invalid") << i;
    const auto right = verify("13911110000", code);
    EXPECT_EQ(right.status, 401);
    EXPECT_EQ(right.errorCode(), "auth.code_exhausted");
}

TEST_F(CodeSignIn, ACodeExpiresAfterFiveMinutesAndANewOneReplacesTheOld) {
    ASSERT_EQ(ask("13922220000").status, 202);
    const std::string old = codeSentTo("13922220000");
    advance(5 * 60 * 1000 + 1);
    EXPECT_EQ(verify("13922220000", old).errorCode(), "auth.code_invalid");

    ASSERT_EQ(ask("13922220000").status, 202);
    std::string first = codeSentTo("13922220000");
    ASSERT_TRUE(eventually([&] { return hook.hits().size() == 2; }));
    first = codeSentTo("13922220000");
    advance(61000);
    ASSERT_EQ(ask("13922220000").status, 202);
    ASSERT_TRUE(eventually([&] { return hook.hits().size() == 3; }));
    const std::string second = codeSentTo("13922220000");
    if (first != second) {
        EXPECT_EQ(verify("13922220000", first).errorCode(), "auth.code_invalid"); // replaced
    }
    EXPECT_EQ(verify("13922220000", second).status, 200);
}

TEST_F(CodeSignIn, AskingIsLimitedPerPhoneAndPerAddress) {
    ASSERT_EQ(ask("13933330000").status, 202);
    const auto again = ask("13933330000");
    EXPECT_EQ(again.status, 429);
    EXPECT_EQ(again.errorCode(), "auth.code_throttled");
    EXPECT_EQ(again.headers.at("Retry-After"), "60");
    // Five an hour for one phone, however patiently asked.
    for (int i = 0; i < 4; ++i) {
        advance(61000);
        ASSERT_EQ(ask("13933330000").status, 202) << i;
    }
    advance(61000);
    EXPECT_EQ(ask("13933330000").status, 429);
    // Twenty an hour from one address, over any phones (five were asked already).
    for (int i = 0; i < 15; ++i) ASSERT_EQ(ask("1394444" + std::to_string(1000 + i)).status, 202) << i;
    EXPECT_EQ(ask("13955550000").status, 429);
    advance(60 * 60 * 1000);
    EXPECT_EQ(ask("13955550000").status, 202);
}

TEST_F(CodeSignIn, RefusesStaffRolesUnknownProjectsAndMalformedRequests) {
    EXPECT_EQ(ask("13966660000", "manager").errorCode(), "auth.role_not_offered");
    EXPECT_EQ(ask("13966660000", "admin").errorCode(), "auth.role_not_offered");
    EXPECT_EQ(ask("13966660000", "guest", 999).status, 404);
    EXPECT_EQ(ask("12345").errorCode(), "auth.phone_invalid");
    EXPECT_EQ(ask("139666600001").errorCode(), "auth.phone_invalid");
    for (const std::string& body : {std::string(R"({"phone":13966660000,"project_id":1,"role":"guest"})"),
                                    std::string(R"({"phone":"13966660000","project_id":"1","role":"guest"})"),
                                    std::string(R"({"phone":"13966660000","project_id":1,"role":["guest"]})"),
                                    std::string(R"({"phone":"13966660000","project_id":1,"role":"guest","lang":7})"), std::string("[1,2]"),
                                    std::string("{")}) {
        const auto answer = http(kernel->port(), "POST", "/api/v1/auth/code", body);
        EXPECT_TRUE(answer.status == 400 || answer.status == 202) << body << " -> " << answer.status << " " << answer.body;
    }
    auto badCode = asking("13966660000");
    badCode["code"] = "12ab56";
    EXPECT_EQ(http(kernel->port(), "POST", "/api/v1/auth/code/verify", badCode.dump()).errorCode(), "auth.code_invalid");
    badCode["code"] = 123456;
    EXPECT_EQ(http(kernel->port(), "POST", "/api/v1/auth/code/verify", badCode.dump()).status, 400);
}
