#pragma once
/// Dashboards — the three roles' figures (seed 001, part three), each with the rows behind it:
///  - consultant: protected customers, tasks due today and overdue, this week's and month's
///    follow-ups, visits and deals, and their own funnel (held → graded → A → deals);
///  - supervisor: the team board (TeamBoard) and the process — phone follow-ups, invitations and
///    how many brought a visit within 7 days, visits that became deals within 30 days;
///  - manager: the site's funnel from lead to deal and each source's quality (core), grades, and a
///    forecast of deals in the next 14 days, with its method stated: each grade's historical rate
///    of a deal within 14 days of being graded (the last 90 days), times the customers holding
///    that grade now. The rates move slowly and cost a scan of a quarter's follow-ups, so they
///    are computed at most once an hour per project; the holdings are counted on every load.
/// Weeks and months are the office's (GradePlan).

#include "GradePlan.h"

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <map>
#include <mutex>

namespace anchang::followup {

class Dashboards {
public:
    explicit Dashboards(const sdk::Host& host) : host_(host) {}

    nlohmann::json consultant(std::int64_t project, std::int64_t user) const;
    nlohmann::json supervisor(std::int64_t project, std::int64_t from, std::int64_t to) const;
    nlohmann::json manager(std::int64_t project, std::int64_t from, std::int64_t to) const;
    /// The manager's figures for Excel (UTF-8 with a BOM): funnel, sources, forecast.
    std::string managerCsv(const nlohmann::json& figures, bool english) const;
    /// The same figures as an Excel workbook in the media store (kernel.table.write): sources
    /// with their rates, the forecast by grade with its method, and the A customers behind it by
    /// name and owner. Returns the stored file ({id, name, ...}).
    nlohmann::json managerWorkbook(std::int64_t project, const nlohmann::json& figures, bool english) const;

    void visited(std::int64_t project, const nlohmann::json& event) const;
    void subscribed(std::int64_t project, const nlohmann::json& event) const;

private:
    GradePlan plan(std::int64_t project) const;
    std::int64_t count(const std::string& sql, const nlohmann::json& params) const;
    /// Per grade: {graded, converted} over the last 90 days, from the cache when under an hour old.
    nlohmann::json gradeHistory(std::int64_t project, std::int64_t now) const;

    const sdk::Host& host_;
    struct Rates {
        std::int64_t at = 0;
        nlohmann::json history;
    };
    mutable std::mutex ratesMutex_;
    mutable std::map<std::int64_t, Rates> rates_;
};

} // namespace anchang::followup
