#pragma once
/// anchang::SemVer — a MAJOR.MINOR.PATCH version as plugins declare it.

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace anchang {

struct SemVer {
    int major = 0;
    int minor = 0;
    int patch = 0;

    /// Accepts "1", "1.2" and "1.2.3" (missing parts are 0); nullopt for anything else.
    static std::optional<SemVer> parse(std::string_view text);
    std::string str() const;

    auto operator<=>(const SemVer&) const = default;
};

} // namespace anchang
