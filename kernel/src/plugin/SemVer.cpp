#include "plugin/SemVer.h"

#include <charconv>

namespace anchang {

std::optional<SemVer> SemVer::parse(std::string_view text) {
    SemVer version;
    int* parts[] = {&version.major, &version.minor, &version.patch};
    std::size_t index = 0;
    const char* p = text.data();
    const char* end = text.data() + text.size();
    if (p == end) return std::nullopt;
    while (p < end) {
        if (index == 3) return std::nullopt;
        auto [next, error] = std::from_chars(p, end, *parts[index]);
        if (error != std::errc{} || next == p || *parts[index] < 0) return std::nullopt;
        ++index;
        p = next;
        if (p < end) {
            if (*p != '.' || p + 1 == end) return std::nullopt;
            ++p;
        }
    }
    return version;
}

std::string SemVer::str() const {
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

} // namespace anchang
