// Whether the bytes read so far hold a whole request: the reactor's question before a worker
// may read it, so the answers must match what Poco's parser will read.
#include "http/RequestFraming.h"

#include <gtest/gtest.h>

using anchang::RequestFraming;
using State = RequestFraming::State;

namespace {

RequestFraming::Result scan(std::string_view data, std::size_t maxBody = 1000) { return RequestFraming::scan(data, 4096, maxBody); }

} // namespace

TEST(RequestFraming, AHeadWithoutBodyIsCompleteAtItsEmptyLine) {
    const std::string get = "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n";
    for (std::size_t cut = 0; cut < get.size(); ++cut) EXPECT_EQ(scan(get.substr(0, cut)).state, State::Incomplete) << cut;
    const auto whole = scan(get + "GET /next");
    EXPECT_EQ(whole.state, State::Complete);
    EXPECT_EQ(whole.length, get.size());
    EXPECT_EQ(scan("GET / HTTP/1.0\n\n").state, State::Complete);          // bare LF line ends
    EXPECT_EQ(scan("\r\n\r\nGET / HTTP/1.1\r\n\r\n").state, State::Complete); // blank lines before
    EXPECT_EQ(scan("\r\n\r\n").state, State::Incomplete);
}

TEST(RequestFraming, ContentLengthFramesTheBody) {
    const std::string head = "POST /x HTTP/1.1\r\ncontent-LENGTH: 5\r\n\r\n";
    EXPECT_EQ(scan(head + "abcd").state, State::Incomplete);
    const auto whole = scan(head + "abcdeGET");
    EXPECT_EQ(whole.state, State::Complete);
    EXPECT_EQ(whole.length, head.size() + 5);
    // Refused unread: the worker answers 413 at once.
    EXPECT_EQ(scan("POST /x HTTP/1.1\r\nContent-Length: 1001\r\n\r\n").state, State::Oversized);
    EXPECT_EQ(scan("POST /x HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n").state, State::Malformed);
    EXPECT_EQ(scan("POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n").state, State::Malformed);
    EXPECT_EQ(scan("POST /x HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n").state, State::Malformed);
    EXPECT_TRUE(scan("POST /x HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n").expectContinue);
}

TEST(RequestFraming, ChunkedBodiesEndWithAZeroChunkAndTrailers) {
    const std::string head = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::string body = "5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: y\r\n\r\n";
    for (std::size_t cut = 0; cut < body.size(); ++cut) EXPECT_EQ(scan(head + body.substr(0, cut)).state, State::Incomplete) << cut;
    const auto whole = scan(head + body + "GET");
    EXPECT_EQ(whole.state, State::Complete);
    EXPECT_EQ(whole.length, head.size() + body.size());
    EXPECT_EQ(scan(head + "zz\r\n").state, State::Malformed);
    EXPECT_EQ(scan(head + "5\r\nhelloXX\r\n").state, State::Malformed);
    // A declared size past the limit is Oversized only once the bytes past the limit are here.
    EXPECT_EQ(scan(head + "FFFF\r\n" + std::string(500, 'x')).state, State::Incomplete);
    EXPECT_EQ(scan(head + "FFFF\r\n" + std::string(1001, 'x')).state, State::Oversized);
}

TEST(RequestFraming, AHeadThatNeverEndsIsTooLarge) {
    EXPECT_EQ(scan("GET / HTTP/1.1\r\n" + std::string(5000, 'x')).state, State::HeadTooLarge);
    EXPECT_EQ(scan("GET / HTTP/1.1\r\nA: " + std::string(3000, 'x')).state, State::Incomplete);
}

TEST(RequestFraming, WhatTwoParsersCouldReadDifferentlyIsMalformed) {
    // A request must not be able to hide another in its body: whatever a parser after the
    // framing (ours, Poco's) could read with another length is refused outright.
    const auto state = [](const std::string& head) { return scan(head + "\r\n").state; };
    EXPECT_EQ(state("POST /x HTTP/1.1\r\nContent-Length: 0\r\n"), State::Complete);
    EXPECT_EQ(state("POST /x HTTP/1.1\r\nX: a\r\n Content-Length: 5\r\n"), State::Malformed);  // folded
    EXPECT_EQ(state("POST /x HTTP/1.1\r\nX: a\r\n\tmore\r\n"), State::Malformed);
    EXPECT_EQ(state("POST /x HTTP/1.1\r\nContent-Length : 5\r\n"), State::Malformed);         // space before the colon
    EXPECT_EQ(state("POST /x HTTP/1.1\r\n: 5\r\n"), State::Malformed);                         // no name
    EXPECT_EQ(state("POST /x HTTP/1.1\r\nno colon here\r\n"), State::Malformed);
    EXPECT_EQ(state("POST /x HTTP/1.1\r\n\r\r\nContent-Length: 5\r\n"), State::Malformed);   // bare CR
    EXPECT_EQ(state("POST /x HTTP/1.1\r\nX: a\rb\r\n"), State::Malformed);
    EXPECT_EQ(state("GET /a\rb HTTP/1.1\r\n"), State::Malformed);
    // Three words on the request line: with fewer, Poco reads the next line's words as the rest.
    EXPECT_EQ(state("GETHTTP/1.1\r\nTransfer-Encoding: chunked\r\n"), State::Malformed);
    EXPECT_EQ(state("GET /\r\nHTTP/1.1 x\r\n"), State::Malformed);
    EXPECT_EQ(state("GET / HTTP/1.1 extra\r\n"), State::Malformed);
    EXPECT_EQ(state(" GET\t/  HTTP/1.1\r\n"), State::Complete);
    EXPECT_EQ(state("POST /x HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n"), State::Malformed);
    EXPECT_EQ(scan("POST /x HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 1\r\n\r\nx").state, State::Complete); // the same twice
    const std::string chunk = "0\r\n\r\n";
    EXPECT_EQ(scan("POST /x HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n" + chunk).state, State::Complete);
    EXPECT_EQ(state("POST /x HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n"), State::Malformed);
    EXPECT_EQ(state("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"), State::Malformed);
    EXPECT_EQ(state("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n"), State::Malformed);
    EXPECT_EQ(state("POST /x HTTP/1.1\r\nTransfer-Encoding: identity\r\n"), State::Malformed);
    // Poco reads eight hex digits of a chunk's size at most.
    const std::string head = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    EXPECT_EQ(scan(head + "00000001\r\nx\r\n" + chunk).state, State::Complete);
    EXPECT_EQ(scan(head + "000000001\r\nx\r\n" + chunk).state, State::Malformed);
}
