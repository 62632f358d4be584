#pragma once
/// ProjectProfile — what core knows about a project beyond its name: address, developer, sales
/// phone, opening hours, and the rule settings other parts read, such as how many days a new
/// customer stays protected for its owner (default 30: "客户的有效期为最后一次跟进后一个月内").

#include <anchang/sdk/Host.hpp>

#include <cstdint>

namespace anchang::core {

class ProjectProfile {
public:
    ProjectProfile(const sdk::Host& host, int defaultProtectionDays) : host_(host), defaultProtectionDays_(defaultProtectionDays) {}

    /// {"project_id","profile":{...},"protection_days"}
    nlohmann::json get(std::int64_t project) const;
    /// Accepts "profile" (an object) and "protection_days" (1-365).
    nlohmann::json set(std::int64_t project, const nlohmann::json& body) const;
    int protectionDays(std::int64_t project) const;

private:
    const sdk::Host& host_;
    int defaultProtectionDays_;
};

} // namespace anchang::core
