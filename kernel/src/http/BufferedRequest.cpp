#include "http/BufferedRequest.h"

#include <Poco/Net/NetException.h>

#include <utility>
#include <vector>

namespace anchang {

namespace {

// Poco's own limits (private in HTTPRequest and MessageHeader), so that both paths refuse alike.
constexpr std::size_t kMaxMethod = 32, kMaxUri = 16384, kMaxVersion = 8;
constexpr std::size_t kMaxName = 256, kMaxValue = 8192, kMaxFields = 100;

bool blank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view text) {
    while (!text.empty() && blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && (blank(text.back()) || text.back() == '\r')) text.remove_suffix(1);
    return text;
}

/// The next word of a request line, and the rest after the blanks that follow it.
std::string_view word(std::string_view& line) {
    std::size_t end = 0;
    while (end < line.size() && !blank(line[end])) ++end;
    const std::string_view found = line.substr(0, end);
    while (end < line.size() && blank(line[end])) ++end;
    line.remove_prefix(end);
    return found;
}

} // namespace

BufferedRequest::BufferedRequest(std::string_view head, std::string_view body, Poco::Net::HTTPServerResponse& response,
                                 const Poco::Net::StreamSocket& socket, const Poco::Net::HTTPServerParams& params)
    : body_(body), response_(response), socket_(socket), client_(socket.peerAddress()), params_(params) {
    // Blank lines before the request line are skipped, as RFC 9112 allows and Poco does.
    while (!head.empty() && (head.front() == '\r' || head.front() == '\n')) head.remove_prefix(1);
    std::size_t end = head.find('\n');
    parseRequestLine(head.substr(0, end));
    // Field lines up to the empty one. RequestFraming refused already what it and this could
    // read differently (a folded line, a line without a colon, whitespace before it, a bare CR);
    // they are refused here too, should a head ever come another way.
    std::vector<std::pair<std::string_view, std::string_view>> fields;
    while (end != std::string_view::npos) {
        const std::size_t start = end + 1;
        end = head.find('\n', start);
        std::string_view line = head.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) break;
        const auto colon = line.find(':');
        if (blank(line.front()) || colon == 0 || colon == std::string_view::npos || line.find('\r') != std::string_view::npos)
            throw Poco::Net::MessageException("malformed header field");
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = trim(line.substr(colon + 1));
        if (name.find_first_of(" \t") != std::string_view::npos) throw Poco::Net::MessageException("malformed header field");
        if (name.size() > kMaxName) throw Poco::Net::MessageException("Field name too long");
        if (value.size() > kMaxValue) throw Poco::Net::MessageException("Field value too long");
        if (fields.size() >= kMaxFields) throw Poco::Net::MessageException("Too many header fields");
        fields.emplace_back(name, value);
    }
    for (const auto& [name, value] : fields) add(std::string(name), std::string(value));
}

void BufferedRequest::parseRequestLine(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos) throw Poco::Net::MessageException("a CR inside the request line");
    line = trim(line);
    const std::string_view method = word(line);
    const std::string_view uri = word(line);
    const std::string_view version = word(line);
    if (method.empty() || uri.empty() || version.empty() || !line.empty()) throw Poco::Net::MessageException("malformed request line");
    if (method.size() > kMaxMethod) throw Poco::Net::MessageException("HTTP request method invalid or too long");
    if (uri.size() > kMaxUri) throw Poco::Net::MessageException("HTTP request URI invalid or too long");
    if (version.size() > kMaxVersion) throw Poco::Net::MessageException("Invalid HTTP version string");
    setMethod(std::string(method));
    setURI(std::string(uri));
    setVersion(std::string(version));
}

const Poco::Net::SocketAddress& BufferedRequest::serverAddress() const {
    if (!server_) server_ = socket_.address();
    return *server_;
}

std::string BufferedRequest::takeBody() {
    // A stream made before reads from body_: then the body is copied, not moved away under it.
    if (stream_) return body_;
    return std::move(body_);
}

std::istream& BufferedRequest::stream() {
    if (!stream_) stream_.emplace(body_.data(), body_.size());
    return *stream_;
}

} // namespace anchang
