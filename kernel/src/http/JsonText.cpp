#include "http/JsonText.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace anchang {

void JsonText::appendEscaped(std::string& out, std::string_view text) {
    // Text beyond ASCII is rare on these paths: it goes through nlohmann, which knows UTF-8.
    if (std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
        const std::string quoted = nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        out.append(quoted, 1, quoted.size() - 2);
        return;
    }
    static const char* hex = "0123456789abcdef";
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            out += "\\u00";
            out += hex[u >> 4];
            out += hex[u & 15];
        } else {
            out += c;
        }
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
