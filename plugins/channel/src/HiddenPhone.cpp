#include "HiddenPhone.h"

#include <anchang/sdk/Phone.hpp>

#include <algorithm>
#include <cctype>

namespace anchang::channel {

namespace {

bool digits(std::string_view text) { return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }); }

} // namespace

std::optional<HiddenPhone> HiddenPhone::parse(std::string_view text) {
    if (const auto full = sdk::Phone::normalize(text); !full.empty()) return HiddenPhone(full, "");
    // Hidden: exactly 11 characters, the middle four stars, a mobile prefix.
    std::string compact;
    for (const char c : text)
        if (c != ' ' && c != '-') compact += c;
    if (compact.size() != 11 || compact[0] != '1' || compact[1] < '3' || compact[1] > '9') return std::nullopt;
    for (const auto& [format, head] : {std::pair<const char*, std::size_t>{"3-4", 3}, {"4-3", 4}}) {
        const std::string_view view(compact);
        if (digits(view.substr(0, head)) && view.substr(head, 4) == "****" && digits(view.substr(head + 4)))
            return HiddenPhone(compact, format);
    }
    return std::nullopt;
}

std::array<std::string, 3> HiddenPhone::keysOf(const std::string& phone) {
    if (phone.size() != 11) return {phone, phone, phone};
    return {phone, phone.substr(0, 3) + "****" + phone.substr(7), phone.substr(0, 4) + "****" + phone.substr(8)};
}

bool HiddenPhone::matches(std::string_view phone) const {
    if (phone.size() != 11) return false;
    if (!hidden()) return phone == text_;
    for (std::size_t i = 0; i < 11; ++i)
        if (text_[i] != '*' && text_[i] != phone[i]) return false;
    return true;
}

} // namespace anchang::channel
