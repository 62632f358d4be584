#include "http/RequestFraming.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>

namespace anchang {

namespace {

using State = RequestFraming::State;

bool sameText(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
    return text;
}

std::optional<std::uint64_t> decimal(std::string_view text) {
    if (text.empty() || text.size() > 18) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return value;
}

/// How many words, separated by spaces or tabs.
int words(std::string_view line) {
    int count = 0;
    bool inWord = false;
    for (char c : line) {
        const bool blank = c == ' ' || c == '\t';
        if (!blank && !inWord) ++count;
        inWord = !blank;
    }
    return count;
}

/// Where the line starting at `from` ends (the index of its '\n'), or npos.
std::size_t lineEnd(std::string_view data, std::size_t from) { return data.find('\n', from); }

/// Scans a chunked body starting at `at`: Complete with the end offset, Incomplete, Oversized,
/// or Malformed.
RequestFraming::Result chunked(std::string_view data, std::size_t at, std::size_t maxBody) {
    std::uint64_t body = 0;
    for (;;) {
        const std::size_t end = lineEnd(data, at);
        if (end == std::string_view::npos) return {data.size() - at > 1024 ? State::Malformed : State::Incomplete, 0, true};
        std::string_view line = data.substr(at, end - at);
        if (const auto semicolon = line.find(';'); semicolon != std::string_view::npos) line = line.substr(0, semicolon);
        line = trim(line);
        // Poco reads at most eight hex digits of a chunk's size.
        if (line.empty() || line.size() > 8) return {State::Malformed, 0, true};
        std::uint64_t size = 0;
        for (char c : line) {
            const int digit = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                              : (c >= 'a' && c <= 'f')                   ? c - 'a' + 10
                              : (c >= 'A' && c <= 'F')                   ? c - 'A' + 10
                                                                         : -1;
            if (digit < 0) return {State::Malformed, 0, true};
            size = size * 16 + static_cast<std::uint64_t>(digit);
        }
        at = end + 1;
        if (size == 0) {
            // Trailers, up to an empty line.
            for (;;) {
                const std::size_t trailerEnd = lineEnd(data, at);
                if (trailerEnd == std::string_view::npos) return {data.size() - at > 8192 ? State::Malformed : State::Incomplete, 0, true};
                const bool empty = trim(data.substr(at, trailerEnd - at)).empty();
                at = trailerEnd + 1;
                if (empty) return {State::Complete, at, true};
            }
        }
        // Oversized only once more than the limit is really here: the worker that answers 413
        // reads up to one byte past the limit, and must not wait for it.
        const std::uint64_t available = data.size() - at;
        if (body + std::min(size, available) > maxBody) return {State::Oversized, 0, true};
        body += size;
        // The chunk's data, then its CRLF.
        if (available < size) return {State::Incomplete, 0, true};
        at += size;
        const std::size_t after = lineEnd(data, at);
        if (after == std::string_view::npos) return {data.size() - at > 2 ? State::Malformed : State::Incomplete, 0, true};
        if (!trim(data.substr(at, after - at)).empty()) return {State::Malformed, 0, true};
        at = after + 1;
    }
}

} // namespace

RequestFraming::Result RequestFraming::scan(std::string_view data, std::size_t maxHead, std::size_t maxBody) {
    // Poco skips blank lines before a request line, as RFC 9112 allows.
    std::size_t start = 0;
    while (start < data.size() && (data[start] == '\r' || data[start] == '\n')) ++start;
    if (start == data.size()) return {};
    // The head ends with an empty line: "\n\r\n" or "\n\n".
    std::size_t headEnd = std::string_view::npos;
    for (std::size_t at = data.find('\n', start); at != std::string_view::npos; at = data.find('\n', at + 1)) {
        if (at + 1 < data.size() && data[at + 1] == '\n') {
            headEnd = at + 2;
            break;
        }
        if (at + 2 < data.size() && data[at + 1] == '\r' && data[at + 2] == '\n') {
            headEnd = at + 3;
            break;
        }
        if (at - start > maxHead) break;
    }
    if (headEnd == std::string_view::npos || headEnd - start > maxHead)
        return {data.size() - start > maxHead ? State::HeadTooLarge : State::Incomplete};

    Result result;
    result.headComplete = true;
    std::optional<std::uint64_t> contentLength;
    bool isChunked = false;
    // Every line is checked here, so that the parser that reads the head afterwards
    // (BufferedRequest, or Poco's for a chunked body) cannot find a body length other than the
    // one framed, which would let a request hide another inside it. Refused: a CR that does not
    // end a line; a folded line (RFC 9112 section 5.2 lets a server refuse it); a line without a
    // colon, or with whitespace before it (section 5.1 says refuse); a Transfer-Encoding other
    // than one "chunked", or beside a Content-Length (section 6.1).
    const auto bareCr = [](std::string_view line) {
        const auto cr = line.find('\r');
        return cr != std::string_view::npos && cr != line.size() - 1;
    };
    // The request line: three words on it. With fewer, Poco reads on into the next lines for
    // the rest (a header's name as the target), and the two readings part ways from there.
    std::size_t at = data.find('\n', start);
    const std::string_view requestLine = trim(data.substr(start, at - start));
    if (bareCr(data.substr(start, at - start)) || words(requestLine) != 3) return {State::Malformed, 0, true};
    ++at;
    while (at < headEnd) {
        const std::size_t end = data.find('\n', at);
        const std::string_view line = data.substr(at, end - at);
        at = end + 1;
        if (bareCr(line)) return {State::Malformed, 0, true};
        if (line.empty() || line == "\r") break; // the empty line that ends the head
        if (line.front() == ' ' || line.front() == '\t') return {State::Malformed, 0, true};
        const auto colon = line.find(':');
        if (colon == 0 || colon == std::string_view::npos) return {State::Malformed, 0, true};
        const std::string_view name = line.substr(0, colon);
        if (name.find_first_of(" \t") != std::string_view::npos) return {State::Malformed, 0, true};
        const std::string_view value = trim(line.substr(colon + 1));
        if (sameText(name, "Content-Length")) {
            const auto parsed = decimal(value);
            if (!parsed || (contentLength && *contentLength != *parsed)) return {State::Malformed, 0, true};
            contentLength = parsed;
        } else if (sameText(name, "Transfer-Encoding")) {
            if (isChunked || !sameText(value, "chunked")) return {State::Malformed, 0, true};
            isChunked = true;
        } else if (sameText(name, "Expect")) {
            result.expectContinue = sameText(value, "100-continue");
        }
    }
    if (isChunked && contentLength) return {State::Malformed, 0, true};
    result.headLength = headEnd;
    if (isChunked) {
        Result body = chunked(data, headEnd, maxBody);
        body.expectContinue = result.expectContinue;
        body.headLength = headEnd;
        body.chunked = true;
        return body;
    }
    const std::uint64_t length = contentLength.value_or(0);
    if (length > maxBody) return {State::Oversized, 0, true, result.expectContinue, headEnd};
    if (data.size() - headEnd < length) return {State::Incomplete, 0, true, result.expectContinue, headEnd};
    result.state = State::Complete;
    result.length = headEnd + length;
    return result;
}

} // namespace anchang
