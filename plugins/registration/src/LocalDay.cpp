#include "LocalDay.h"

#include <chrono>
#include <ctime>

namespace anchang::registration {

std::int64_t LocalDay::offsetMs(std::int64_t project) const {
    return host_.project(project).value("utc_offset_minutes", 480) * std::int64_t{60000};
}

std::string LocalDay::of(std::int64_t project, std::int64_t ms) const {
    const std::time_t seconds = static_cast<std::time_t>((ms + offsetMs(project)) / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[16];
    std::strftime(text, sizeof text, "%Y-%m-%d", &utc);
    return text;
}

std::string LocalDay::today(std::int64_t project) const { return of(project, now()); }

std::string LocalDay::timeOf(std::int64_t project, std::int64_t ms) const {
    const std::time_t seconds = static_cast<std::time_t>((ms + offsetMs(project)) / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &utc);
    return text;
}

bool LocalDay::valid(const std::string& text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (text[i] < '0' || text[i] > '9') return false;
    const std::chrono::year_month_day date{std::chrono::year(std::stoi(text.substr(0, 4))),
                                           std::chrono::month(static_cast<unsigned>(std::stoi(text.substr(5, 2)))),
                                           std::chrono::day(static_cast<unsigned>(std::stoi(text.substr(8, 2))))};
    return date.ok(); // a real calendar day: no 2026-13-40, no 2026-02-30
}

} // namespace anchang::registration
