#pragma once
/// anchang::BufferedResponse — the answer to a BufferedRequest, written to the socket in one
/// send: status line, header fields and body together.
///
/// Poco's HTTPServerResponseImpl needs its HTTPServerRequestImpl and session. This writes the
/// same bytes Poco would: a HEAD request gets the head without the body; send() streams a body
/// of the length set before (or, without one, until the connection closes: no handler here
/// asks for chunked answers, so a chunked request for one falls back to that too).

#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace anchang {

class BufferedResponse : public Poco::Net::HTTPServerResponse {
public:
    explicit BufferedResponse(const Poco::Net::StreamSocket& socket);
    ~BufferedResponse() override;

    /// The answer is to a HEAD request: every write leaves the body out.
    void setHeadOnly(bool headOnly) { headOnly_ = headOnly; }

    void sendContinue() override;
    std::ostream& send() override;
    void sendFile(const std::string& path, const std::string& mediaType) override;
    void sendBuffer(const void* buffer, std::size_t length) override;
    void redirect(const std::string& uri, HTTPStatus status = HTTP_FOUND) override;
    void requireAuthentication(const std::string& realm) override;
    bool sent() const override { return sent_; }

    /// After the handler: writes out what a streamed body left buffered, and says whether the
    /// client got all the answer announced. A short one (a send that failed, a file that shrank)
    /// must end the connection, or the next answer would be read as the rest of this one.
    bool whole();

    /// The status line and header fields of `response`, up to and including the empty line: the
    /// bytes Poco's write() gives, without its stream.
    static std::string headOf(const Poco::Net::HTTPResponse& response);

private:
    void write(std::string_view bytes);

    Poco::Net::StreamSocket socket_;
    bool headOnly_ = false;
    bool sent_ = false;
    bool short_ = false;
    std::unique_ptr<std::ostream> stream_;
};

} // namespace anchang
