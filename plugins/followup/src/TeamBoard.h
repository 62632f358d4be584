#pragma once
/// TeamBoard — the supervisor's view of the team's health (seed 001, part three): per consultant,
/// the protected customers they hold, open and overdue tasks, follow-ups in the last 7 and 30
/// days and their mean frequency per held customer, protections ending within 7 days, the
/// grades of their customers; and who is falling behind (overdue tasks, or a follow-up frequency
/// under half the team's median), with the reason.

#include <anchang/sdk/Host.hpp>

#include <cstdint>

namespace anchang::followup {

class TeamBoard {
public:
    explicit TeamBoard(const sdk::Host& host) : host_(host) {}

    nlohmann::json get(std::int64_t project) const;

private:
    const sdk::Host& host_;
};

} // namespace anchang::followup
