#pragma once
/// anchang::sdk::Csv — CSV for Excel, as modules export it: UTF-8 with a byte-order mark (Excel
/// reads UTF-8 only with one), and fields quoted when they need it. A field starting with
/// = + - @ is defused with a leading ' so a spreadsheet never runs a customer's "name" as a
/// formula.

#include <string>
#include <string_view>

namespace anchang::sdk {

class Csv {
public:
    static constexpr std::string_view kExcelBom = "\xEF\xBB\xBF";

    static std::string field(std::string_view text) {
        const bool formula = !text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@');
        if (!formula && text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
        std::string out = formula ? "\"'" : "\"";
        for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
        return out + "\"";
    }
};

} // namespace anchang::sdk
