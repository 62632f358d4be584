#pragma once
/// HiddenPhone — a customer's phone as a broker may report it: in full, or hidden the way the
/// company allows (隐号): 前三后四 "138****1234" (format "3-4") or 前四后三 "1380****234"
/// ("4-3"). Brokers hide the middle so the site cannot call their customer before the visit; at
/// the visit the desk has the full number and checks it against the hidden form.

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace anchang::channel {

class HiddenPhone {
public:
    /// The phone as reported: a mainland mobile number in any common spelling, or a hidden form.
    /// nullopt when it is neither.
    static std::optional<HiddenPhone> parse(std::string_view text);

    /// "3-4", "4-3", or empty for a full number.
    const std::string& format() const { return format_; }
    bool hidden() const { return !format_.empty(); }
    /// What two reports of one customer share: the full number, or the hidden form as written.
    const std::string& key() const { return text_; }
    /// Whether the full number `phone` (normalized) is this one.
    bool matches(std::string_view phone) const;
    /// Every key a report of the full number `phone` can have: the number, 前三后四, 前四后三.
    static std::array<std::string, 3> keysOf(const std::string& phone);

private:
    HiddenPhone(std::string text, std::string format) : text_(std::move(text)), format_(std::move(format)) {}

    std::string text_;
    std::string format_;
};

} // namespace anchang::channel
