// Logins and tokens against a real anchangd: guessing is throttled without locking the owner
// out, and a password change or a disable ends every token issued before it.
#include "support/Http.h"
#include "support/KernelProcess.h"

#include <gtest/gtest.h>

using namespace anchang::test;

namespace {

class Accounts : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        KernelProcess::Options options;
        options.pluginsDir = KernelProcess::binaryDir() / "test-plugins";
        options.modules = {"good"};
        kernel = new KernelProcess(options);
    }
    static void TearDownTestSuite() {
        delete kernel;
        kernel = nullptr;
    }
    static int port() { return kernel->port(); }
    static HttpResult attempt(const std::string& username, const std::string& password, const std::string& device = "") {
        nlohmann::json body = {{"username", username}, {"password", password}};
        if (!device.empty()) body["device_token"] = device;
        return http(port(), "POST", "/api/v1/auth/login", body.dump());
    }
    /// A user of their own for each test, so that tests do not lock each other out.
    static void createUser(const std::string& username) {
        const auto created = http(port(), "POST", "/api/v1/users",
                                  nlohmann::json{{"username", username}, {"display_name", username}, {"password", "demo1234"}}.dump(),
                                  login(port(), "admin"));
        ASSERT_EQ(created.status, 201) << created.body;
    }
    static std::int64_t idOf(const std::string& token) { return http(port(), "GET", "/api/v1/auth/me", "", token).json()["id"]; }
    static KernelProcess* kernel;
};
KernelProcess* Accounts::kernel = nullptr;

} // namespace

TEST_F(Accounts, SomeoneGuessingDoesNotLockTheOwnerOutOfTheirBrowser) {
    createUser("owner1");
    // The owner logged in from this browser before: it keeps a device token.
    const auto first = attempt("owner1", "demo1234");
    ASSERT_EQ(first.status, 200);
    const std::string device = first.json()["device_token"];
    ASSERT_FALSE(device.empty());

    // Someone else guesses at the password from browsers the owner never used.
    for (int i = 0; i < 5; ++i) EXPECT_EQ(attempt("owner1", "guess" + std::to_string(i)).errorCode(), "auth.bad_credentials");
    const auto guesser = attempt("owner1", "guess-again");
    EXPECT_EQ(guesser.status, 429);
    EXPECT_FALSE(guesser.headers.at("Retry-After").empty());
    // Even the right password from an untrusted browser waits: that is the throttle.
    EXPECT_EQ(attempt("owner1", "demo1234").status, 429);

    // The owner, from their own browser, is not held back.
    const auto owner = attempt("owner1", "demo1234", device);
    ASSERT_EQ(owner.status, 200) << owner.body;
    // Nor is a device token good for another user.
    createUser("owner2");
    for (int i = 0; i < 5; ++i) attempt("owner2", "guess");
    EXPECT_EQ(attempt("owner2", "demo1234", device).status, 429);
    EXPECT_EQ(attempt("owner1", "demo1234", device + "x").status, 429);

    // A trusted browser that keeps failing is held back on its own.
    const std::string kept = owner.json()["device_token"];
    for (int i = 0; i < 5; ++i) EXPECT_EQ(attempt("owner1", "typo", kept).errorCode(), "auth.bad_credentials");
    EXPECT_EQ(attempt("owner1", "demo1234", kept).status, 429);
}

TEST_F(Accounts, APasswordChangeEndsEveryEarlierToken) {
    createUser("changer");
    const std::string phone = login(port(), "changer");
    const std::string laptop = login(port(), "changer");
    auto changed = http(port(), "PUT", "/api/v1/auth/password", R"({"current":"demo1234","next":"a-new-secret-1"})", laptop);
    ASSERT_EQ(changed.status, 200) << changed.body;
    const std::string fresh = changed.json()["token"];
    EXPECT_FALSE(changed.json()["device_token"].get<std::string>().empty());
    for (const auto& old : {phone, laptop}) EXPECT_EQ(http(port(), "GET", "/api/v1/auth/me", "", old).errorCode(), "auth.token_revoked");
    EXPECT_EQ(http(port(), "GET", "/api/v1/auth/me", "", fresh).status, 200);

    // An admin setting a new password ends them too.
    const std::string admin = login(port(), "admin");
    EXPECT_EQ(http(port(), "PATCH", "/api/v1/users/" + std::to_string(idOf(fresh)), R"({"password":"another-secret-2"})", admin).status, 200);
    EXPECT_EQ(http(port(), "GET", "/api/v1/auth/me", "", fresh).status, 401);
}

TEST_F(Accounts, ReEnablingAUserDoesNotReviveTheirOldTokens) {
    createUser("leaver");
    const std::string before = login(port(), "leaver");
    const std::string user = "/api/v1/users/" + std::to_string(idOf(before));
    const std::string admin = login(port(), "admin");
    ASSERT_EQ(http(port(), "PATCH", user, R"({"active":false})", admin).status, 200);
    EXPECT_EQ(http(port(), "GET", "/api/v1/auth/me", "", before).status, 401);
    ASSERT_EQ(http(port(), "PATCH", user, R"({"active":true})", admin).status, 200);
    EXPECT_EQ(http(port(), "GET", "/api/v1/auth/me", "", before).errorCode(), "auth.token_revoked");
    EXPECT_EQ(http(port(), "GET", "/api/v1/auth/me", "", login(port(), "leaver")).status, 200);
}

TEST_F(Accounts, OneMistypingAddressHoldsBackOnlyBrowsersThatNeverLoggedInThere) {
    // Everyone here shares one address, like an office behind one NAT; this test runs its own
    // kernel so that the address's lock does not reach the other tests.
    KernelProcess::Options options;
    options.pluginsDir = KernelProcess::binaryDir() / "test-plugins";
    options.modules = {"good"};
    KernelProcess office(options);
    const auto known = http(office.port(), "POST", "/api/v1/auth/login", R"({"username":"consultant1","password":"demo1234"})");
    ASSERT_EQ(known.status, 200);
    const std::string device = known.json()["device_token"];
    for (int i = 0; i < 30; ++i)
        http(office.port(), "POST", "/api/v1/auth/login", nlohmann::json{{"username", "nobody" + std::to_string(i)}, {"password", "x"}}.dump());
    EXPECT_EQ(http(office.port(), "POST", "/api/v1/auth/login", R"({"username":"manager","password":"demo1234"})").status, 429);
    const auto trusted = http(office.port(), "POST", "/api/v1/auth/login",
                              nlohmann::json{{"username", "consultant1"}, {"password", "demo1234"}, {"device_token", device}}.dump());
    EXPECT_EQ(trusted.status, 200) << trusted.body;
}
