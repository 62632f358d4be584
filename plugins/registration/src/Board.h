#pragma once
/// Board — what the big screen, a consultant's phone and the manager's reports show.
///
///  - board: today's arrivals as they happen, who received them and how long they waited
///    ("即时公示": phones masked 前三后四 on a screen everyone can see);
///  - board: also who is receiving whom now (a busy consultant waits their turn);
///  - mine: a consultant's visitors waiting now and received today, and the visits of their
///    customers that colleagues covered while they were away, until they read them;
///  - reports: visits per day by source, returning rate, and how many each consultant received,
///    as JSON or CSV.

#include "Assignment.h"
#include "LocalDay.h"
#include "Register.h"

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <string>

namespace anchang::registration {

class Board {
public:
    Board(const sdk::Host& host, const LocalDay& day, const Register& book, const Assignment& assignment)
        : host_(host), day_(day), register_(book), assignment_(assignment) {}

    nlohmann::json board(std::int64_t project) const;
    nlohmann::json mine(std::int64_t project, std::int64_t userId) const;
    nlohmann::json reports(std::int64_t project, const std::string& from, const std::string& to) const;
    std::string reportsCsv(const nlohmann::json& reports, bool english) const;

private:
    const sdk::Host& host_;
    const LocalDay& day_;
    const Register& register_;
    const Assignment& assignment_;
};

} // namespace anchang::registration
