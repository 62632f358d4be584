#include "anchang/sdk/Error.hpp"
#include "auth/AccessPolicy.h"
#include "auth/LoginThrottle.h"
#include "auth/PasswordHasher.h"
#include "auth/RoleCatalog.h"
#include "auth/TokenService.h"
#include "auth/UserDirectory.h"
#include "store/KernelMigrations.h"
#include "store/Migrator.h"
#include "store/SqliteStore.h"
#include "support/TempDir.h"

#include <gtest/gtest.h>

#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>

#include <thread>

using namespace anchang;

namespace {

struct AuthTest : ::testing::Test {
    test::TempDir dir;
    anchang::SqliteStore store{{dir.file("auth.db")}};
    // The lightest argon2id cost, so the tests spend their time on behaviour.
    PasswordHasher hasher{PasswordHasher::Cost{1, 64, 1}};
    // The roles a plugin would declare; the kernel itself knows only admin.
    RoleCatalog roles;
    void SetUp() override {
        for (const char* role : {"manager", "consultant", "receptionist"}) roles.declare(role, nullptr, "core");
        Migrator(store).apply("kernel", kernelMigrations());
        store.query("INSERT INTO projects (code, name, created_at) VALUES ('p1', 'P1', 0), ('p2', 'P2', 0)");
    }
};

} // namespace

TEST(PasswordHasher, Argon2idRoundTrip) {
    PasswordHasher hasher{PasswordHasher::Cost{1, 64, 1}};
    const std::string encoded = hasher.hash("demo1234");
    EXPECT_TRUE(encoded.starts_with("$argon2id$"));
    EXPECT_TRUE(hasher.verify(encoded, "demo1234"));
    EXPECT_FALSE(hasher.verify(encoded, "demo12345"));
    EXPECT_FALSE(hasher.verify("plaintext", "plaintext"));
    EXPECT_NE(hasher.hash("demo1234"), encoded); // salted
    EXPECT_FALSE(PasswordHasher::weakness("short").empty());
}

TEST_F(AuthTest, UsersRolesAndMembership) {
    UserDirectory users(store, hasher, roles);
    const auto id = users.create({{"username", "consultant1"}, {"display_name", "张伟"}, {"password", "demo1234"},
                                  {"roles", {{{"role", "consultant"}, {"project_id", 1}}}}});
    EXPECT_EQ(users.authenticate("consultant1", "demo1234"), id);
    EXPECT_FALSE(users.authenticate("consultant1", "wrong-password"));
    EXPECT_FALSE(users.authenticate("nobody", "demo1234"));
    auto principal = users.principal(id);
    ASSERT_TRUE(principal);
    EXPECT_TRUE(principal->memberOf(1));
    EXPECT_FALSE(principal->memberOf(2));
    EXPECT_EQ(principal->rolesIn(1), std::vector<std::string>{"consultant"});
    EXPECT_TRUE(principal->rolesIn(2).empty());

    users.update(id, {{"active", false}});
    EXPECT_FALSE(users.principal(id));
    EXPECT_FALSE(users.authenticate("consultant1", "demo1234"));
}

TEST_F(AuthTest, BadUserInputIsRefusedWithACode) {
    UserDirectory users(store, hasher, roles);
    auto code = [&](const nlohmann::json& body) {
        try {
            users.create(body);
        } catch (const sdk::Error& e) {
            return e.code();
        }
        return std::string("created");
    };
    nlohmann::json ok = {{"username", "ok"}, {"display_name", "OK"}, {"password", "demo1234"}};
    EXPECT_EQ(code(ok), "created");
    EXPECT_EQ(code(ok), "user.username_taken");
    EXPECT_EQ(code({{"username", "Bad Name"}, {"display_name", "x"}, {"password", "demo1234"}}), "user.invalid");
    EXPECT_EQ(code({{"username", 7}, {"display_name", "x"}, {"password", "demo1234"}}), "user.invalid");
    EXPECT_EQ(code({{"username", "short"}, {"display_name", "x"}, {"password", "1234"}}), "user.weak_password");
    EXPECT_EQ(code({{"username", "r1"}, {"display_name", "x"}, {"password", "demo1234"}, {"roles", {{{"role", "emperor"}}}}}),
              "user.unknown_role");
    EXPECT_EQ(code({{"username", "r2"}, {"display_name", "x"}, {"password", "demo1234"},
                    {"roles", {{{"role", "consultant"}, {"project_id", 99}}}}}),
              "project.not_found");
    EXPECT_EQ(code({{"username", "r3"}, {"display_name", "x"}, {"password", "demo1234"}, {"roles", "admin"}}), "user.invalid");
}

TEST_F(AuthTest, TokensExpireAreRevocableAndCannotBeForged) {
    TokenService tokens(store, dir.file("token.key"), 3600);
    auto issued = tokens.issue(42, "admin", 7);
    TokenService::Refusal refusal{};
    auto claims = tokens.verify(issued.token, refusal);
    ASSERT_TRUE(claims);
    EXPECT_EQ(claims->userId, 42);
    EXPECT_EQ(claims->generation, 7);

    // Strict base64url: the same signature with padding, or with other unused low bits in its
    // last character, decodes to the same bytes but is not the token that was issued.
    EXPECT_FALSE(tokens.verify(issued.token + "=", refusal));
    std::string lastBits = issued.token;
    char& last = lastBits.back();
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    last = alphabet[(alphabet.find(last) & ~3u) | ((alphabet.find(last) + 1) & 3u)];
    EXPECT_FALSE(tokens.verify(lastBits, refusal));
    EXPECT_FALSE(tokens.verify(issued.token.substr(0, issued.token.rfind('.')) + ".", refusal));
    EXPECT_FALSE(tokens.verify(" " + issued.token, refusal));

    // Signed with another key: invalid.
    Poco::JWT::Token forged;
    forged.setSubject("1");
    forged.setExpiration(Poco::Timestamp() + Poco::Timespan(3600, 0));
    const std::string other = Poco::JWT::Signer(std::string(32, 'x')).sign(forged, Poco::JWT::Signer::ALGO_HS256);
    EXPECT_FALSE(tokens.verify(other, refusal));
    EXPECT_EQ(refusal, TokenService::Refusal::Invalid);
    EXPECT_FALSE(tokens.verify("garbage", refusal));
    EXPECT_FALSE(tokens.verify(issued.token + "x", refusal));

    TokenService shortLived(store, dir.file("token.key"), 1);
    auto brief = shortLived.issue(42, "admin", 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    EXPECT_FALSE(shortLived.verify(brief.token, refusal));
    EXPECT_EQ(refusal, TokenService::Refusal::Expired);

    tokens.revoke(issued.tokenId, issued.expiresAt);
    EXPECT_FALSE(tokens.verify(issued.token, refusal));
    EXPECT_EQ(refusal, TokenService::Refusal::Revoked);
    // Revocation survives a restart.
    TokenService restarted(store, dir.file("token.key"), 3600);
    EXPECT_FALSE(restarted.verify(issued.token, refusal));
}

TEST(LoginThrottle, GuessingStopsTheGuesserNotTheOwner) {
    LoginThrottle throttle(LoginThrottle::Limits{3, 100, 3, std::chrono::seconds(60)});
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(throttle.retryAfter("Admin", "10.0.0.1", ""), 0);
        throttle.failed("Admin", "10.0.0.1", "");
    }
    EXPECT_GT(throttle.retryAfter("admin", "10.0.0.2", ""), 0); // case-insensitive, any untrusted browser
    EXPECT_EQ(throttle.retryAfter("manager", "10.0.0.1", ""), 0);
    // The owner's browser, trusted from an earlier login, is not held by others' guesses.
    EXPECT_EQ(throttle.retryAfter("admin", "10.0.0.1", "device-of-admin"), 0);
    throttle.succeeded("admin", "device-of-admin");
    EXPECT_GT(throttle.retryAfter("admin", "10.0.0.2", ""), 0);
    // A trusted device that fails on its own is held back alone.
    for (int i = 0; i < 3; ++i) throttle.failed("manager", "10.0.0.9", "device-of-manager");
    EXPECT_GT(throttle.retryAfter("manager", "10.0.0.9", "device-of-manager"), 0);
    EXPECT_EQ(throttle.retryAfter("manager", "10.0.0.9", "another-device"), 0);
    EXPECT_EQ(throttle.retryAfter("manager", "10.0.0.9", ""), 0);
}

TEST(LoginThrottle, OneAddressFailingHoldsBackOnlyItsUntrustedBrowsers) {
    LoginThrottle throttle(LoginThrottle::Limits{100, 5, 5, std::chrono::seconds(60)});
    for (int i = 0; i < 5; ++i) throttle.failed("user" + std::to_string(i), "192.168.1.1", "");
    EXPECT_GT(throttle.retryAfter("consultant1", "192.168.1.1", ""), 0);
    EXPECT_EQ(throttle.retryAfter("consultant1", "192.168.1.1", "device-of-consultant1"), 0);
    EXPECT_EQ(throttle.retryAfter("consultant1", "192.168.1.2", ""), 0);
}

TEST_F(AuthTest, PolicyDefaultsOverridesAndProjectScope) {
    AccessPolicy policy(store, roles);
    policy.declare("registration.visit.create", {"receptionist", "manager"}, {}, "registration");
    Principal receptionist{1, "r", "R", {}, {{1, {"receptionist"}}}};
    Principal admin{2, "a", "A", {"admin"}, {}};
    EXPECT_TRUE(policy.allows(receptionist, "registration.visit.create", 1));
    EXPECT_FALSE(policy.allows(receptionist, "registration.visit.create", 2));
    EXPECT_FALSE(policy.allows(receptionist, "undeclared.permission", 1));
    EXPECT_TRUE(policy.allows(admin, "undeclared.permission", 2));
    policy.set("receptionist", "registration.visit.create", false);
    EXPECT_FALSE(policy.allows(receptionist, "registration.visit.create", 1));
    AccessPolicy reloaded(store, roles);
    reloaded.declare("registration.visit.create", {"receptionist", "manager"}, {}, "registration");
    EXPECT_FALSE(reloaded.allows(receptionist, "registration.visit.create", 1));
    EXPECT_THROW(policy.set("admin", "registration.visit.create", false), sdk::Error);
    EXPECT_THROW(policy.set("receptionist", "nope", true), sdk::Error);
}

TEST(RoleCatalog, OnlyAdminIsBuiltInPluginsNameTheRest) {
    RoleCatalog roles;
    EXPECT_EQ(roles.names(), std::vector<std::string>{"admin"});
    EXPECT_FALSE(roles.known("consultant"));
    // Known by name first (a permission lists it), then core declares it with its names.
    roles.declare("consultant", nullptr, "registration");
    roles.declare("consultant", {{"zh-CN", "置业顾问"}, {"en", "Consultant"}}, "core");
    roles.declare("consultant", {{"zh-CN", "别的名字"}}, "other");
    EXPECT_TRUE(roles.known("consultant"));
    const auto described = roles.describe();
    ASSERT_EQ(described.size(), 2u);
    EXPECT_EQ(described[0]["name"], "admin");
    EXPECT_EQ(described[1]["label"]["zh-CN"], "置业顾问"); // the first label stays
}

TEST_F(AuthTest, UsersMayHoldOnlyRolesSomePluginDeclared) {
    UserDirectory users(store, hasher, roles);
    try {
        users.create({{"username", "x1"}, {"display_name", "X"}, {"password", "demo1234"}, {"roles", {{{"role", "wizard"}, {"project_id", 1}}}}});
        FAIL() << "an undeclared role was accepted";
    } catch (const sdk::Error& e) {
        EXPECT_EQ(e.code(), "user.unknown_role");
    }
    AccessPolicy policy(store, roles);
    // A plugin's manifest grants a kernel permission to one of its roles.
    policy.declare("kernel.audit.read", {}, {}, "kernel");
    Principal manager{3, "m", "M", {}, {{1, {"manager"}}}};
    EXPECT_FALSE(policy.allows(manager, "kernel.audit.read", 1));
    policy.grant("kernel.audit.read", {"manager"});
    EXPECT_TRUE(policy.allows(manager, "kernel.audit.read", 1));
    EXPECT_THROW(policy.set("wizard", "kernel.audit.read", true), sdk::Error);
}

TEST(Principal, WhatAPluginReadsHoldsTheRolesOfItsProjectAndThePermissionsItWasGiven) {
    Principal principal;
    principal.userId = 7;
    principal.username = "wang\"li";
    principal.displayName = "王丽";
    principal.globalRoles = {"agent"};
    principal.projectRoles = {{1, {"consultant"}}, {2, {"manager"}}};
    const auto inProject = nlohmann::json::parse(principal.toJson(1, {"selection.sell"}));
    EXPECT_EQ(inProject, (nlohmann::json{{"user_id", 7},
                                         {"username", "wang\"li"},
                                         {"display_name", "王丽"},
                                         {"roles", {"agent", "consultant"}},
                                         {"project_id", 1},
                                         {"permissions", {"selection.sell"}}}));
    const auto anywhere = nlohmann::json::parse(principal.toJson(std::nullopt, {}));
    EXPECT_TRUE(anywhere["project_id"].is_null());
    EXPECT_EQ(anywhere["roles"], (nlohmann::json{"agent", "consultant", "manager"}));
    EXPECT_EQ(anywhere["permissions"], nlohmann::json::array());
}
