#include "http/BufferedResponse.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketStream.h>
#include <Poco/NullStream.h>
#include <Poco/StreamCopier.h>

#include <algorithm>

namespace anchang {

BufferedResponse::BufferedResponse(const Poco::Net::StreamSocket& socket) : socket_(socket) {}

BufferedResponse::~BufferedResponse() {
    // A streamed body goes out with the response, as with Poco's (the socket stream flushes).
    try {
        stream_.reset();
    } catch (...) {
    }
}

std::string BufferedResponse::headOf(const Poco::Net::HTTPResponse& response) {
    std::string text;
    text.reserve(256);
    text += response.getVersion();
    text += ' ';
    text += std::to_string(static_cast<int>(response.getStatus()));
    text += ' ';
    text += response.getReason();
    text += "\r\n";
    for (const auto& [name, value] : response) {
        text += name;
        text += ": ";
        text += value;
        text += "\r\n";
    }
    text += "\r\n";
    return text;
}

void BufferedResponse::write(std::string_view bytes) {
    // A blocking socket with the server's send timeout: a client that stops reading costs this
    // worker at most that long, then a TimeoutException ends the connection.
    while (!bytes.empty()) {
        const int n = socket_.sendBytes(bytes.data(), static_cast<int>(std::min<std::size_t>(bytes.size(), 1 << 30)));
        if (n <= 0) throw Poco::Net::NetException("the connection closed while answering");
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

void BufferedResponse::sendContinue() { write(getVersion() + " 100 Continue\r\n\r\n"); }

void BufferedResponse::sendBuffer(const void* buffer, std::size_t length) {
    sent_ = true;
    setContentLength64(static_cast<Poco::Int64>(length));
    setChunkedTransferEncoding(false);
    std::string bytes = headOf(*this);
    if (!headOnly_) bytes.append(static_cast<const char*>(buffer), length);
    write(bytes);
}

std::ostream& BufferedResponse::send() {
    sent_ = true;
    if (getChunkedTransferEncoding() || !hasContentLength()) {
        setChunkedTransferEncoding(false);
        setKeepAlive(false); // the body ends where the connection does
    }
    write(headOf(*this));
    if (headOnly_)
        stream_ = std::make_unique<Poco::NullOutputStream>();
    else
        stream_ = std::make_unique<Poco::Net::SocketOutputStream>(socket_);
    return *stream_;
}

void BufferedResponse::sendFile(const std::string& path, const std::string& mediaType) {
    Poco::File file(path);
    const auto length = static_cast<Poco::Int64>(file.getSize());
    set("Last-Modified", Poco::DateTimeFormatter::format(file.getLastModified(), Poco::DateTimeFormat::HTTP_FORMAT));
    setContentLength64(length);
    setContentType(mediaType);
    setChunkedTransferEncoding(false);
    Poco::FileInputStream in(path);
    if (!in.good()) throw Poco::OpenFileException(path);
    std::ostream& out = send();
    if (headOnly_) return;
    // Exactly the length announced: a file that grew since is cut, one that shrank (or a read
    // that failed) leaves the answer short, and whole() then says the connection must end.
    char buffer[65536];
    Poco::Int64 left = length;
    while (left > 0 && in && out) {
        in.read(buffer, static_cast<std::streamsize>(std::min<Poco::Int64>(left, sizeof buffer)));
        out.write(buffer, in.gcount());
        left -= in.gcount();
        if (in.gcount() == 0) break;
    }
    if (left > 0) short_ = true;
}

bool BufferedResponse::whole() {
    if (stream_) {
        stream_->flush();
        if (!stream_->good()) return false;
    }
    return !short_;
}

void BufferedResponse::redirect(const std::string& uri, HTTPStatus status) {
    setStatusAndReason(status);
    set("Location", uri);
    sendBuffer("", 0);
}

void BufferedResponse::requireAuthentication(const std::string& realm) {
    // As Poco's: the status and the challenge; the caller sends.
    setStatusAndReason(HTTP_UNAUTHORIZED);
    set("WWW-Authenticate", "Basic realm=\"" + realm + "\"");
}

} // namespace anchang
