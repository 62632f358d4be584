// Bad input gets a clear JSON error, at the HTTP edge of a real anchangd.
#include "support/Eventually.h"
#include "support/Http.h"
#include "support/KernelProcess.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

using namespace anchang::test;

namespace {

class HttpApi : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        KernelProcess::Options options;
        options.pluginsDir = KernelProcess::binaryDir() / "test-plugins";
        options.modules = {"good"};
        options.settings = {"http.maxBodyBytes=4096"};
        kernel = new KernelProcess(options);
    }
    static void TearDownTestSuite() {
        delete kernel;
        kernel = nullptr;
    }
    static int port() { return kernel->port(); }
    static KernelProcess* kernel;
};
KernelProcess* HttpApi::kernel = nullptr;

} // namespace

TEST_F(HttpApi, MalformedJsonWrongTypesAndMissingFields) {
    EXPECT_EQ(http(port(), "POST", "/api/v1/auth/login", "{\"username\":").errorCode(), "request.malformed_json");
    EXPECT_EQ(http(port(), "POST", "/api/v1/auth/login", "[\"admin\"]").errorCode(), "request.expected_object");
    EXPECT_EQ(http(port(), "POST", "/api/v1/auth/login", R"({"username":5,"password":"demo1234"})").errorCode(), "request.invalid");
    EXPECT_EQ(http(port(), "POST", "/api/v1/auth/login", "{}").errorCode(), "request.invalid");
    auto missing = http(port(), "POST", "/api/v1/auth/login", R"({"username":"admin"})");
    EXPECT_EQ(missing.status, 400);
    EXPECT_FALSE(missing.json()["error"]["message"].get<std::string>().empty());
    const std::string admin = login(port(), "admin");
    EXPECT_EQ(http(port(), "POST", "/api/v1/users", R"({"username":"x1","display_name":[],"password":"demo1234"})", admin)
                  .errorCode(),
              "user.invalid");
    EXPECT_EQ(http(port(), "PATCH", "/api/v1/users/1", R"({"active":"yes"})", admin).errorCode(), "user.invalid");
}

TEST_F(HttpApi, OversizedBodiesAreRefusedWhetherDeclaredOrChunked) {
    const std::string big(64 * 1024, 'x');
    auto declared = http(port(), "POST", "/api/v1/auth/login", big);
    EXPECT_EQ(declared.status, 413);
    EXPECT_EQ(declared.errorCode(), "http.body_too_large");

    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port()));
    Poco::Net::HTTPRequest request("POST", "/api/v1/auth/login", Poco::Net::HTTPMessage::HTTP_1_1);
    request.setChunkedTransferEncoding(true);
    session.sendRequest(request) << big;
    Poco::Net::HTTPResponse response;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
    EXPECT_EQ(response.getStatus(), 413);
    // The server still answers.
    EXPECT_EQ(http(port(), "GET", "/api/v1/health").status, 200);
}

TEST_F(HttpApi, UnknownRoutesAndMethodsAnswerJson) {
    auto unknown = http(port(), "GET", "/api/v1/no/such/thing");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.errorCode(), "http.not_found");
    EXPECT_EQ(unknown.headers["Content-Type"], "application/json; charset=utf-8");
    EXPECT_EQ(http(port(), "GET", "/nothing-here").errorCode(), "http.not_found");
    auto wrongMethod = http(port(), "DELETE", "/api/v1/health");
    EXPECT_EQ(wrongMethod.status, 405);
    EXPECT_EQ(wrongMethod.headers["Allow"], "GET");
    EXPECT_EQ(http(port(), "GET", "/api/v1/users/abc", "", login(port(), "admin")).errorCode(), "user.not_found");
    EXPECT_EQ(http(port(), "GET", "/api/v1/users/99999", "", login(port(), "admin")).errorCode(), "user.not_found");
}

TEST_F(HttpApi, GarbageOnTheWireIsABadRequest) {
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port())));
    const std::string garbage = "\x16\x03\x01 this is not http\r\n\r\n";
    socket.sendBytes(garbage.data(), static_cast<int>(garbage.size()));
    char buffer[512] = {};
    int n = socket.receiveBytes(buffer, sizeof buffer - 1);
    EXPECT_TRUE(std::string(buffer, static_cast<std::size_t>(std::max(n, 0))).starts_with("HTTP/1.1 400")) << buffer;
    EXPECT_EQ(http(port(), "GET", "/api/v1/health").status, 200);
}

TEST_F(HttpApi, TokensMissingBadRevokedAndRoles) {
    auto missing = http(port(), "GET", "/api/v1/auth/me");
    EXPECT_EQ(missing.status, 401);
    EXPECT_EQ(missing.errorCode(), "auth.token_missing");
    EXPECT_EQ(missing.headers["WWW-Authenticate"], "Bearer");
    EXPECT_EQ(http(port(), "GET", "/api/v1/auth/me", "", "not-a-token").errorCode(), "auth.token_invalid");
    EXPECT_EQ(http(port(), "GET", "/api/v1/auth/me", "", "", {{"Authorization", "Basic YWRtaW46ZGVtbzEyMzQ="}}).errorCode(),
              "auth.token_invalid");

    const std::string consultant = login(port(), "consultant1");
    auto me = http(port(), "GET", "/api/v1/auth/me", "", consultant);
    EXPECT_EQ(me.status, 200);
    EXPECT_EQ(me.json()["projects"][0]["roles"][0], "consultant");
    EXPECT_EQ(http(port(), "GET", "/api/v1/users", "", consultant).errorCode(), "auth.forbidden");
    EXPECT_EQ(http(port(), "GET", "/api/v1/auth/me?access_token=" + consultant).errorCode(), "auth.token_missing")
        << "a token in the URL is for event streams only";
    EXPECT_EQ(http(port(), "POST", "/api/v1/good/items", R"({"name":"c"})", consultant).errorCode(), "auth.forbidden");
    EXPECT_EQ(http(port(), "POST", "/api/v1/good/items", R"({"name":"m"})", login(port(), "manager")).status, 201);

    EXPECT_EQ(http(port(), "POST", "/api/v1/auth/logout", "", consultant).status, 204);
    EXPECT_EQ(http(port(), "GET", "/api/v1/auth/me", "", consultant).errorCode(), "auth.token_revoked");
}

TEST_F(HttpApi, ProjectRoutesCheckMembership) {
    const std::string consultant = login(port(), "consultant1");
    EXPECT_EQ(http(port(), "GET", "/api/v1/projects/1/good/items", "", consultant).status, 200);
    EXPECT_EQ(http(port(), "GET", "/api/v1/projects/2/good/items", "", consultant).errorCode(), "auth.not_member");
    EXPECT_EQ(http(port(), "GET", "/api/v1/projects/999/good/items", "", consultant).errorCode(), "project.not_found");
    EXPECT_EQ(http(port(), "GET", "/api/v1/projects/abc/good/items", "", consultant).errorCode(), "project.not_found");
    EXPECT_EQ(http(port(), "GET", "/api/v1/projects/2/good/items", "", login(port(), "admin")).status, 200);
}

TEST_F(HttpApi, RepeatedFailedLoginsAreThrottled) {
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(http(port(), "POST", "/api/v1/auth/login", R"({"username":"risk","password":"guess"})").errorCode(),
                  "auth.bad_credentials");
    auto locked = http(port(), "POST", "/api/v1/auth/login", R"({"username":"risk","password":"demo1234"})");
    EXPECT_EQ(locked.status, 429);
    EXPECT_EQ(locked.errorCode(), "auth.throttled");
    EXPECT_FALSE(locked.headers["Retry-After"].empty());
}

TEST_F(HttpApi, InternalErrorsHideTheirDetails) {
    auto result = http(port(), "POST", "/api/v1/good/throw", "{}");
    EXPECT_EQ(result.status, 500);
    EXPECT_EQ(result.errorCode(), "internal");
    EXPECT_EQ(result.body.find("SELECT"), std::string::npos);
    EXPECT_FALSE(result.json()["error"]["request_id"].get<std::string>().empty());
    // The log is written by a background thread: the detail is there once it has flushed.
    EXPECT_TRUE(eventually([&] { return kernel->log().find("secret internal detail") != std::string::npos; })) << kernel->log();
}

TEST_F(HttpApi, LanguageAndRequestIds) {
    auto zh = http(port(), "GET", "/api/v1/auth/me");
    EXPECT_EQ(zh.json()["error"]["message"], "请先登录");
    auto en = http(port(), "GET", "/api/v1/auth/me", "", "", {{"Accept-Language", "en-US,en;q=0.9"}});
    EXPECT_EQ(en.json()["error"]["message"], "please log in");
    auto traced = http(port(), "GET", "/api/v1/health", "", "", {{"X-Request-Id", "desk-7-000123"}});
    EXPECT_EQ(traced.headers["X-Request-Id"], "desk-7-000123");
    auto hostile = http(port(), "GET", "/api/v1/health", "", "", {{"X-Request-Id", "bad id\" with quotes"}});
    EXPECT_NE(hostile.headers["X-Request-Id"], "bad id\" with quotes");
}

TEST_F(HttpApi, ConcurrentCreatesOfOneUsernameMakeOneUser) {
    const std::string admin = login(port(), "admin");
    std::atomic<int> created{0}, conflicts{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&] {
            auto result = http(port(), "POST", "/api/v1/users",
                               R"({"username":"twin","display_name":"双胞胎","password":"demo1234"})", admin);
            if (result.status == 201) ++created;
            if (result.errorCode() == "user.username_taken") ++conflicts;
        });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(created.load(), 1);
    EXPECT_EQ(conflicts.load(), 7);
}

TEST_F(HttpApi, ThousandsOfIdleKeepAliveConnectionsDoNotBlockNewRequests) {
    // More idle connections than worker threads (64): with a thread per connection, the next
    // request would wait for a thread until the idle ones time out.
    std::vector<Poco::Net::StreamSocket> idle;
    const std::string request = "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n";
    for (int i = 0; i < 1000; ++i) {
        Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port())));
        if (i % 2 == 0) { // half answered once and kept open, half never said anything
            socket.sendBytes(request.data(), static_cast<int>(request.size()));
            char buffer[4096];
            socket.receiveBytes(buffer, sizeof buffer);
        }
        idle.push_back(socket);
    }
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port()));
    session.setTimeout(Poco::Timespan(5, 0));
    Poco::Net::HTTPRequest health("GET", "/api/v1/health", Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(health);
    Poco::Net::HTTPResponse response;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
    EXPECT_EQ(response.getStatus(), 200);
    // And the idle ones are still usable.
    idle[0].sendBytes(request.data(), static_cast<int>(request.size()));
    char buffer[4096] = {};
    idle[0].receiveBytes(buffer, sizeof buffer - 1);
    EXPECT_NE(std::string(buffer).find("200 OK"), std::string::npos);
}
