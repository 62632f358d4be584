#pragma once
/// anchang::BufferedRequest — a request whose bytes the reactor already read whole, parsed in
/// place instead of through Poco's session streams.
///
/// Nearly every request arrives whole before a worker takes it (RequestFraming says so), and
/// Poco's HTTPServerRequestImpl then still reads it a byte at a time through three stream
/// layers, with a session object per wake-up: a tenth of the opening storm's CPU. This parses
/// the head held in memory with Poco's limits (method 32, URI 16 KiB, 100 fields, names 256 and
/// values 8 KiB bytes) into the same HTTPRequest a handler sees either way, and serves the body
/// from memory. Chunked and oversized bodies, which a handler may stream, still go through Poco.
/// Stricter than Poco where two parsers could disagree on a body's length (RequestFraming):
/// folded lines, lines without a colon and bare CRs are refused; values are taken as they are
/// (no RFC 2047 decoding, which RFC 9110 made obsolete).

#include <Poco/MemoryStream.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <optional>
#include <string>
#include <string_view>

namespace anchang {

class BufferedRequest : public Poco::Net::HTTPServerRequest {
public:
    /// Parses `head` (request line and header fields, up to the empty line) and keeps a copy of
    /// `body`; throws Poco::Net::MessageException for a head nobody can read.
    BufferedRequest(std::string_view head, std::string_view body, Poco::Net::HTTPServerResponse& response, const Poco::Net::StreamSocket& socket,
                    const Poco::Net::HTTPServerParams& params);

    std::istream& stream() override;
    const Poco::Net::SocketAddress& clientAddress() const override { return client_; }
    const Poco::Net::SocketAddress& serverAddress() const override;
    const Poco::Net::HTTPServerParams& serverParams() const override { return params_; }
    Poco::Net::HTTPServerResponse& response() const override { return response_; }
    bool secure() const override { return false; }

    /// The connection, for a handler that takes it over (an event stream).
    Poco::Net::StreamSocket socket() const { return socket_; }
    /// The body, handed over whole (the pipeline's read, without a stream); empty after, unless
    /// stream() was asked for before.
    std::string takeBody();

private:
    void parseRequestLine(std::string_view line);

    std::string body_;
    std::optional<Poco::MemoryInputStream> stream_;
    Poco::Net::HTTPServerResponse& response_;
    Poco::Net::StreamSocket socket_;
    Poco::Net::SocketAddress client_;
    mutable std::optional<Poco::Net::SocketAddress> server_; ///< asked for by nobody on the hot path
    const Poco::Net::HTTPServerParams& params_;
};

} // namespace anchang
