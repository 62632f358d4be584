#pragma once
/// LocalDay — the sales office's calendar day. "Today's arrivals" and daily reports follow the
/// office's clock (the project's utc_offset_minutes in the kernel, UTC+8 by default), not the
/// server's time zone; "now" is the kernel's clock, which tests move.

#include "anchang/sdk/Host.hpp"

#include <cstdint>
#include <string>

namespace anchang::registration {

class LocalDay {
public:
    explicit LocalDay(const sdk::Host& host) : host_(host) {}

    /// YYYY-MM-DD of an instant (ms since the epoch) at the project's office.
    std::string of(std::int64_t project, std::int64_t ms) const;
    std::string today(std::int64_t project) const;
    /// "YYYY-MM-DD HH:MM:SS" of an instant, on the office's clock.
    std::string timeOf(std::int64_t project, std::int64_t ms) const;
    /// Milliseconds since the epoch, now, on the kernel's clock.
    std::int64_t now() const { return host_.now(); }
    /// Whether text is YYYY-MM-DD.
    static bool valid(const std::string& text);

private:
    std::int64_t offsetMs(std::int64_t project) const;

    const sdk::Host& host_;
};

} // namespace anchang::registration
