// BufferedRequest and BufferedResponse: a request read whole is parsed in memory with Poco's
// limits (and stricter rules where two parsers could disagree), and its answer is the bytes
// Poco would write, in one send.
#include "http/BufferedRequest.h"
#include "http/BufferedResponse.h"

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

using anchang::BufferedRequest;
using anchang::BufferedResponse;

namespace {

/// Both ends of a loopback connection: the server's for the request, the client's to read.
class Connection : public ::testing::Test {
protected:
    Connection() : listener_(Poco::Net::SocketAddress("127.0.0.1", 0)), client_(listener_.address()), server_(listener_.acceptConnection()) {
        client_.setReceiveTimeout(Poco::Timespan(2, 0));
        params_ = new Poco::Net::HTTPServerParams;
    }
    /// What the client received until the server's end closed.
    std::string received() {
        server_.shutdownSend();
        std::string text;
        char buffer[4096];
        for (int n; (n = client_.receiveBytes(buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
        return text;
    }
    BufferedRequest parse(const std::string& head, const std::string& body = "") {
        return BufferedRequest(head, body, response_, server_, *params_);
    }

    Poco::Net::ServerSocket listener_;
    Poco::Net::StreamSocket client_;
    Poco::Net::StreamSocket server_;
    Poco::Net::HTTPServerParams::Ptr params_;
    BufferedResponse response_{server_};
};

using BufferedRequestTest = Connection;
using BufferedResponseTest = Connection;

} // namespace

TEST_F(BufferedRequestTest, ReadsTheRequestLineFieldsAndBody) {
    auto request = parse("\r\nPOST /api/v1/x?a=1 HTTP/1.1\r\nHost: x\r\ncontent-type:  application/json \r\nX-Empty:\r\n\r\n", R"({"a":1})");
    EXPECT_EQ(request.getMethod(), "POST");
    EXPECT_EQ(request.getURI(), "/api/v1/x?a=1");
    EXPECT_EQ(request.getVersion(), "HTTP/1.1");
    EXPECT_EQ(request.get("Content-Type"), "application/json"); // names without regard to case, values trimmed
    EXPECT_EQ(request.get("x-empty"), "");
    EXPECT_TRUE(request.getKeepAlive());
    std::string body;
    std::getline(request.stream(), body, '\0');
    EXPECT_EQ(body, R"({"a":1})");
    EXPECT_EQ(request.clientAddress().host(), Poco::Net::IPAddress("127.0.0.1"));
    EXPECT_EQ(request.serverAddress(), listener_.address());
    EXPECT_FALSE(parse("GET / HTTP/1.0\n\n").getKeepAlive()); // bare LF line ends, HTTP/1.0
}

TEST_F(BufferedRequestTest, RefusesHeadsItCannotReadAsTheFramingDid) {
    const auto refused = [this](const std::string& head) {
        try {
            parse(head);
            return false;
        } catch (const Poco::Net::MessageException&) {
            return true;
        }
    };
    EXPECT_TRUE(refused("GET /\r\n\r\n"));                        // two words
    EXPECT_TRUE(refused("GET / HTTP/1.1 extra\r\n\r\n"));         // four (Poco took them; nobody sends them)
    EXPECT_TRUE(refused("\r\n"));                                 // none
    EXPECT_TRUE(refused(std::string(33, 'G') + " / HTTP/1.1\r\n\r\n"));
    EXPECT_TRUE(refused("GET /" + std::string(16384, 'a') + " HTTP/1.1\r\n\r\n"));
    EXPECT_TRUE(refused("GET / HTTP/1.1.1.1\r\n\r\n"));
    EXPECT_TRUE(refused("GET / HTTP/1.1\r\n" + std::string(257, 'n') + ": v\r\n\r\n"));
    EXPECT_TRUE(refused("GET / HTTP/1.1\r\nX: " + std::string(8193, 'v') + "\r\n\r\n"));
    // What RequestFraming refuses too (a head never gets here with them; should one come
    // another way, the parser refuses it as well): folded lines, no colon, space before it, CR.
    EXPECT_TRUE(refused("GET / HTTP/1.1\r\nX: one\r\n two\r\n\r\n"));
    EXPECT_TRUE(refused("GET / HTTP/1.1\r\n continued\r\n\r\n"));
    EXPECT_TRUE(refused("GET / HTTP/1.1\r\nnot a field\r\n\r\n"));
    EXPECT_TRUE(refused("GET / HTTP/1.1\r\nContent-Length : 5\r\n\r\n"));
    EXPECT_TRUE(refused("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n"));
    EXPECT_TRUE(refused("GET /a\rb HTTP/1.1\r\n\r\n"));
    std::string many = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 100; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
    EXPECT_FALSE(refused(many + "\r\n"));
    EXPECT_TRUE(refused(many + "X-100: v\r\n\r\n"));
    EXPECT_FALSE(refused(std::string(32, 'G') + " /" + std::string(16383, 'a') + " HTTP/1.1\r\nX: " + std::string(8192, 'v') + "\r\n\r\n"));
}

TEST_F(BufferedResponseTest, WritesTheHeadAndBodyAsPocoDoes) {
    response_.setVersion("HTTP/1.1");
    response_.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_CREATED);
    response_.setContentType("application/json");
    response_.set("X-Request-Id", "r1");
    response_.sendBuffer("{}", 2);
    EXPECT_TRUE(response_.sent());
    EXPECT_EQ(received(), "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Request-Id: r1\r\nContent-Length: 2\r\n\r\n{}");
}

TEST_F(BufferedResponseTest, AHeadRequestGetsTheHeadWithTheBodysLength) {
    response_.setVersion("HTTP/1.1");
    response_.setHeadOnly(true);
    response_.sendBuffer("hello", 5);
    EXPECT_EQ(received(), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
}

TEST_F(BufferedResponseTest, AStreamedBodyOfUnknownLengthEndsWithTheConnection) {
    {
        // The body goes out when the response does, as the server's goes after the handler.
        BufferedResponse response(server_);
        response.setVersion("HTTP/1.1");
        response.setKeepAlive(true);
        response.setChunkedTransferEncoding(true);
        response.send() << "streamed";
    }
    const std::string text = received();
    EXPECT_TRUE(text.starts_with("HTTP/1.1 200 OK\r\n")) << text;
    EXPECT_NE(text.find("Connection: Close\r\n"), std::string::npos) << text;
    EXPECT_EQ(text.find("Transfer-Encoding"), std::string::npos) << text;
    EXPECT_TRUE(text.ends_with("\r\n\r\nstreamed")) << text;
}

TEST_F(BufferedResponseTest, SendsContinueAndAFile) {
    const auto file = std::filesystem::temp_directory_path() / ("buffered-response-" + std::to_string(::getpid()) + ".txt");
    std::ofstream(file) << std::string(100000, 'f');
    {
        BufferedResponse response(server_);
        response.setVersion("HTTP/1.1"); // "100 Continue" in the request's version, as Poco's
        response.sendContinue();
        response.sendFile(file.string(), "text/plain");
        EXPECT_TRUE(response.whole());
        BufferedResponse missing(server_);
        EXPECT_THROW(missing.sendFile("/nonexistent/file", "text/plain"), Poco::Exception);
        EXPECT_FALSE(missing.sent()); // nothing written: the pipeline's error answer can go out
    }
    std::filesystem::remove(file);
    const std::string text = received();
    EXPECT_TRUE(text.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")) << text.substr(0, 200);
    EXPECT_NE(text.find("Content-Length: 100000\r\n"), std::string::npos);
    EXPECT_NE(text.find("Content-Type: text/plain\r\n"), std::string::npos);
    EXPECT_NE(text.find("Last-Modified: "), std::string::npos);
    EXPECT_TRUE(text.ends_with("\r\n\r\n" + std::string(100000, 'f')));
}
