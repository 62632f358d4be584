#include "http/JsonText.h"

#include "anchang/sdk/Utf8.hpp"

namespace anchang {

void JsonText::appendEscaped(std::string& out, std::string_view text) {
    static const char* hex = "0123456789abcdef";
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    for (std::size_t i = 0; i < text.size();) {
        const unsigned char u = bytes[i];
        if (u >= 0x80) {
            // Chinese names pass as they are; a byte that starts no valid sequence becomes
            // U+FFFD, as nlohmann's error_handler_t::replace did, so the text stays JSON.
            if (const std::size_t n = sdk::Utf8::sequenceLength(text, i)) {
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
