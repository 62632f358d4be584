#pragma once
/// Analytics — what each channel brings, for the site (渠道分析): per company and per agent, the
/// reports made in a period, how many of them came (visited), how many subscribed (确客), the
/// visit rate and conversion, refusals and collisions lost; as JSON, or CSV (UTF-8 with a BOM,
/// for Excel). And the desk's view of today: the reported customers expected to visit.

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <string>

namespace anchang::channel {

class Analytics {
public:
    explicit Analytics(const sdk::Host& host) : host_(host) {}

    /// Reports made in [from, to), milliseconds since the epoch.
    nlohmann::json byCompany(std::int64_t project, std::int64_t from, std::int64_t to) const;
    std::string csv(const nlohmann::json& companies, bool english) const;
    /// Open reports whose expected visit falls in [from, to), soonest first.
    nlohmann::json expected(std::int64_t project, std::int64_t from, std::int64_t to) const;

private:
    const sdk::Host& host_;
};

} // namespace anchang::channel
