#pragma once
/// GradePlan — what a customer's grade asks of their consultant (seed 001): A — a revisit within
/// revisitDays (3); B — on the week's list, made each Monday, due by the week's end; C — on the
/// month's activation list, made on the 1st, due by the month's end. Weeks and months are the
/// office's (its UTC offset), so Monday is Monday in Hangzhou whatever the server's zone.

#include <cstdint>
#include <optional>
#include <string>

namespace anchang::followup {

class GradePlan {
public:
    struct Task {
        std::string kind;   ///< revisit, weekly, monthly
        std::string period; ///< the day, ISO week or month it belongs to (one task per period)
        std::int64_t dueAt = 0;
    };

    GradePlan(int revisitDays, int utcOffsetMinutes) : revisitDays_(revisitDays), offsetMs_(utcOffsetMinutes * 60000LL) {}

    static bool known(const std::string& grade) { return grade == "A" || grade == "B" || grade == "C"; }
    /// The task a grade gives at `now`: A's revisit at once; B's and C's the current period's.
    std::optional<Task> taskFor(const std::string& grade, std::int64_t now) const;
    /// This week's list task (B), due at the end of the office's Sunday.
    Task weekly(std::int64_t now) const;
    /// This month's activation task (C), due at the end of the office's last day of the month.
    Task monthly(std::int64_t now) const;

    /// The first millisecond of the office's week (Monday) and month that hold `now`.
    std::int64_t weekStart(std::int64_t now) const { return weekly(now).dueAt + 1 - 7 * 24LL * 3600 * 1000; }
    std::int64_t monthStart(std::int64_t now) const;
    /// The last millisecond of the office's day that holds `now`.
    std::int64_t dayEnd(std::int64_t now) const;

private:
    int revisitDays_;
    std::int64_t offsetMs_;
};

} // namespace anchang::followup
