#pragma once
// One CSV field, quoted. A leading = + - @ is defused so a spreadsheet never runs a visitor's
// "name" as a formula.

#include <string>

namespace anchang::registration {

inline std::string csvField(const std::string& text) {
    std::string out = "\"";
    if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@')) out += '\'';
    for (char c : text) {
        if (c == '"') out += "\"\"";
        else out += c;
    }
    return out + "\"";
}

} // namespace anchang::registration
