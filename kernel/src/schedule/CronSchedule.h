#pragma once
/// anchang::CronSchedule — a five-field cron expression ("0 2 * * *": minute, hour, day of the
/// month, month, day of the week) read on a project's clock (a fixed UTC offset: mainland China
/// keeps UTC+8 all year, so no daylight-saving rules are needed).
///
/// Each field takes `*`, a number, a range `a-b`, a step `*/n` or `a-b/n`, and lists of these
/// separated by commas; day of the week counts 0-7 with both 0 and 7 for Sunday. As in every
/// cron since Vixie's, when both day fields are restricted a day matching either one runs.
/// Names (MON, JAN) and the @-shortcuts are not taken: plugin authors write numbers.

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>

namespace anchang {

class CronSchedule {
public:
    /// Throws std::invalid_argument naming the field that is wrong, or when no date ever
    /// matches ("0 0 30 2 *").
    static CronSchedule parse(const std::string& expression);

    /// The first minute strictly after `afterMs` that matches, in ms since the epoch, reading
    /// the fields on a clock `utcOffsetMinutes` ahead of UTC; nullopt if none within 5 years.
    std::optional<std::int64_t> next(std::int64_t afterMs, int utcOffsetMinutes) const;

    const std::string& text() const { return text_; }

private:
    bool dayMatches(int dayOfMonth, int month, int weekday) const;

    std::string text_;
    std::bitset<60> minutes_;
    std::bitset<24> hours_;
    std::bitset<32> daysOfMonth_;
    std::bitset<13> months_;
    std::bitset<8> weekdays_;
    bool anyDayOfMonth_ = false;
    bool anyWeekday_ = false;
};

} // namespace anchang
