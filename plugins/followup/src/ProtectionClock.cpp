#include "ProtectionClock.h"

#include <algorithm>

namespace anchang::followup {

bool ProtectionClock::valid(const std::string& content) const {
    // Characters, not bytes: UTF-8 continuation bytes (10xxxxxx) do not start one. Spaces say nothing.
    std::size_t characters = 0;
    for (const unsigned char c : content)
        if ((c & 0xC0) != 0x80 && c != ' ' && c != '\t' && c != '\n' && c != '\r') ++characters;
    return characters >= policy_.validMinChars;
}

std::optional<std::int64_t> ProtectionClock::extended(std::int64_t since, std::optional<std::int64_t> current, std::int64_t now) const {
    const std::int64_t wanted = std::min(now + policy_.extendDays * kDayMs, hardEnd(since));
    if (current && *current >= wanted) return std::nullopt;
    if (wanted <= now) return std::nullopt; // past the hard maximum: the clock runs out
    return wanted;
}

} // namespace anchang::followup
