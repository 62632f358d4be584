#include "http/JsonText.h"

namespace anchang {

namespace {

/// The length of the well-formed UTF-8 sequence at `p` (RFC 3629: no overlong forms, no
/// surrogates, nothing above U+10FFFF), or 0 when the bytes there are not one.
std::size_t sequenceLength(const unsigned char* p, std::size_t left) {
    const unsigned char c = p[0];
    std::size_t n;
    unsigned char low = 0x80, high = 0xBF; // the range of the second byte
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) low = 0xA0;
        if (c == 0xED) high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) low = 0x90;
        if (c == 0xF4) high = 0x8F;
    } else return 0;
    if (left < n || p[1] < low || p[1] > high) return 0;
    for (std::size_t i = 2; i < n; ++i)
        if (p[i] < 0x80 || p[i] > 0xBF) return 0;
    return n;
}

} // namespace

void JsonText::appendEscaped(std::string& out, std::string_view text) {
    static const char* hex = "0123456789abcdef";
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    for (std::size_t i = 0; i < text.size();) {
        const unsigned char u = bytes[i];
        if (u >= 0x80) {
            // Chinese names pass as they are; a byte that starts no valid sequence becomes
            // U+FFFD, as nlohmann's error_handler_t::replace did, so the text stays JSON.
            if (const std::size_t n = sequenceLength(bytes + i, text.size() - i)) {
                out.append(text.data() + i, n);
                i += n;
            } else {
                out += "\xEF\xBF\xBD";
                ++i;
            }
            continue;
        }
        if (u == '"' || u == '\\') {
            out += '\\';
            out += static_cast<char>(u);
        } else if (u < 0x20) {
            out += "\\u00";
            out += hex[u >> 4];
            out += hex[u & 15];
        } else {
            out += static_cast<char>(u);
        }
        ++i;
    }
}

void JsonText::appendString(std::string& out, std::string_view text) {
    out += '"';
    appendEscaped(out, text);
    out += '"';
}

void JsonText::appendArray(std::string& out, const std::vector<std::string>& items) {
    out += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += ',';
        appendString(out, items[i]);
    }
    out += ']';
}

std::string JsonText::object(const std::map<std::string, std::string>& members) {
    std::string out = "{";
    for (const auto& [name, value] : members) {
        if (out.size() > 1) out += ',';
        appendString(out, name);
        out += ':';
        appendString(out, value);
    }
    out += '}';
    return out;
}

} // namespace anchang
