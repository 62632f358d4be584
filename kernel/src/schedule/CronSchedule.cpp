#include "schedule/CronSchedule.h"

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace anchang {

namespace {

constexpr std::int64_t kMinuteMs = 60000;
constexpr std::int64_t kDayMinutes = 1440;

std::int64_t floorDiv(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int number(const std::string& text, const char* field) {
    if (text.empty() || text.size() > 2 || text.find_first_not_of("0123456789") != std::string::npos)
        throw std::invalid_argument(std::string(field) + ": not a number: \"" + text + "\"");
    return std::stoi(text);
}

/// Sets bits lo..hi of one field; returns whether the field was "*" (unrestricted).
template <std::size_t N>
bool readField(const std::string& text, int lo, int hi, const char* field, std::bitset<N>& bits) {
    if (text.empty()) throw std::invalid_argument(std::string(field) + " is missing");
    std::stringstream parts(text);
    std::string part;
    while (std::getline(parts, part, ',')) {
        int step = 1;
        if (const auto slash = part.find('/'); slash != std::string::npos) {
            step = number(part.substr(slash + 1), field);
            if (step < 1) throw std::invalid_argument(std::string(field) + ": a step must be at least 1");
            part = part.substr(0, slash);
        }
        int from = lo;
        int to = hi;
        if (part != "*") {
            if (const auto dash = part.find('-'); dash != std::string::npos) {
                from = number(part.substr(0, dash), field);
                to = number(part.substr(dash + 1), field);
            } else {
                from = to = number(part, field);
                if (step > 1) to = hi; // "5/15": from 5 on, every 15
            }
        }
        if (from < lo || to > hi || from > to)
            throw std::invalid_argument(std::string(field) + ": " + std::to_string(from) + "-" + std::to_string(to) + " is outside " +
                                        std::to_string(lo) + "-" + std::to_string(hi));
        for (int v = from; v <= to; v += step) bits.set(static_cast<std::size_t>(v));
    }
    return text == "*";
}

} // namespace

CronSchedule CronSchedule::parse(const std::string& expression) {
    std::stringstream in(expression);
    std::vector<std::string> fields;
    for (std::string field; in >> field;) fields.push_back(field);
    if (fields.size() != 5)
        throw std::invalid_argument("a schedule has five fields (minute hour day-of-month month day-of-week), not " + std::to_string(fields.size()));
    CronSchedule s;
    s.text_ = expression;
    readField(fields[0], 0, 59, "minute", s.minutes_);
    readField(fields[1], 0, 23, "hour", s.hours_);
    s.anyDayOfMonth_ = readField(fields[2], 1, 31, "day of the month", s.daysOfMonth_);
    readField(fields[3], 1, 12, "month", s.months_);
    s.anyWeekday_ = readField(fields[4], 0, 7, "day of the week", s.weekdays_);
    if (s.weekdays_.test(7)) s.weekdays_.set(0);
    if (!s.next(0, 0)) throw std::invalid_argument("no date matches \"" + expression + "\"");
    return s;
}

bool CronSchedule::dayMatches(int dayOfMonth, int month, int weekday) const {
    if (!months_.test(static_cast<std::size_t>(month))) return false;
    const bool byDay = daysOfMonth_.test(static_cast<std::size_t>(dayOfMonth));
    const bool byWeekday = weekdays_.test(static_cast<std::size_t>(weekday));
    if (anyDayOfMonth_ && anyWeekday_) return true;
    if (anyDayOfMonth_) return byWeekday;
    if (anyWeekday_) return byDay;
    return byDay || byWeekday;
}

std::optional<std::int64_t> CronSchedule::next(std::int64_t afterMs, int utcOffsetMinutes) const {
    using namespace std::chrono;
    const std::int64_t offsetMs = static_cast<std::int64_t>(utcOffsetMinutes) * kMinuteMs;
    const std::int64_t first = floorDiv(afterMs + offsetMs, kMinuteMs) + 1; // local minutes since the epoch
    std::int64_t day = floorDiv(first, kDayMinutes);
    std::int64_t minuteOfDay = first - day * kDayMinutes;
    for (int i = 0; i < 366 * 5; ++i, ++day, minuteOfDay = 0) {
        const sys_days date{days{day}};
        const year_month_day ymd{date};
        if (!dayMatches(static_cast<int>(static_cast<unsigned>(ymd.day())), static_cast<int>(static_cast<unsigned>(ymd.month())),
                        static_cast<int>(weekday{date}.c_encoding())))
            continue;
        for (std::int64_t m = minuteOfDay; m < kDayMinutes; ++m) {
            if (!hours_.test(static_cast<std::size_t>(m / 60))) {
                m = (m / 60) * 60 + 59; // skip the rest of the hour
                continue;
            }
            if (minutes_.test(static_cast<std::size_t>(m % 60))) return (day * kDayMinutes + m) * kMinuteMs - offsetMs;
        }
    }
    return std::nullopt;
}

} // namespace anchang
