#pragma once
/// anchang::sdk::Phone — mainland China mobile numbers, the key that makes a customer unique in
/// a project. One definition for the kernel (form format "phone") and every plugin.

#include <string>
#include <string_view>

namespace anchang::sdk {

class Phone {
public:
    /// "+86 138-0000-0000" -> "13800000000"; "" when the text is not a mainland mobile number
    /// (11 digits, 1 then 3-9). Spaces, dashes, brackets and a +86/0086 prefix are accepted.
    static std::string normalize(std::string_view text) {
        std::string digits;
        for (char c : text) {
            if (c >= '0' && c <= '9') digits += c;
            else if (c != ' ' && c != '-' && c != '+' && c != '(' && c != ')') return {};
        }
        if (digits.size() == 15 && digits.starts_with("0086")) digits = digits.substr(4);
        if (digits.size() == 13 && digits.starts_with("86")) digits = digits.substr(2);
        if (digits.size() != 11 || digits[0] != '1' || digits[1] < '3') return {};
        return digits;
    }

    /// 前三后四: "138****0000", for screens that many people can see.
    static std::string masked(std::string_view normalized) {
        if (normalized.size() != 11) return std::string(normalized);
        return std::string(normalized.substr(0, 3)) + "****" + std::string(normalized.substr(7));
    }
};

} // namespace anchang::sdk
