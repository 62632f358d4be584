#pragma once
/// LocalDay — the sales office's calendar day. "Today's arrivals" and daily reports follow the
/// office's clock (China: UTC+8, config utc_offset_minutes), not the server's time zone.

#include <cstdint>
#include <string>

namespace anchang::registration {

class LocalDay {
public:
    explicit LocalDay(int utcOffsetMinutes) : offsetMs_(static_cast<std::int64_t>(utcOffsetMinutes) * 60000) {}

    /// YYYY-MM-DD of an instant (ms since the epoch).
    std::string of(std::int64_t ms) const;
    std::string today() const;
    /// "YYYY-MM-DD HH:MM:SS" of an instant, on the office's clock.
    std::string timeOf(std::int64_t ms) const;
    /// Milliseconds since the epoch, now.
    static std::int64_t now();
    /// Whether text is YYYY-MM-DD.
    static bool valid(const std::string& text);

private:
    std::int64_t offsetMs_;
};

} // namespace anchang::registration
