#pragma once
/// Analytics — what each channel brings, for the site (渠道分析): per company and per agent, the
/// reports made in a period, how many of them came (visited), how many subscribed (确客), the
/// visit rate and conversion, refusals and collisions lost; as JSON, or CSV (UTF-8 with a BOM,
/// for Excel). And the desk's view of today: the reported customers expected to visit. And a
/// channel company's statement (对账单): what it brought that was confirmed, for settling.

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace anchang::channel {

class Analytics {
public:
    explicit Analytics(const sdk::Host& host) : host_(host) {}

    /// Reports made in [from, to), milliseconds since the epoch.
    nlohmann::json byCompany(std::int64_t project, std::int64_t from, std::int64_t to) const;
    std::string csv(const nlohmann::json& companies, bool english) const;
    /// Open reports whose expected visit falls in [from, to), soonest first.
    nlohmann::json expected(std::int64_t project, std::int64_t from, std::int64_t to) const;

    /// The reports of `companies` confirmed (subscribed, 确客) in [from, to): agent, store,
    /// customer, visit, subscription and deal, the rows both sides settle commissions on.
    nlohmann::json statement(std::int64_t project, const std::vector<std::int64_t>& companies, std::int64_t from, std::int64_t to) const;
    /// The statement for Excel, times on the office's clock.
    std::string statementCsv(std::int64_t project, const nlohmann::json& rows, bool english) const;

private:
    const sdk::Host& host_;
};

} // namespace anchang::channel
