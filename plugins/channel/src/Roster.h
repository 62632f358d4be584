#pragma once
/// Roster — a channel company's own side (门店/机构管理员). Its admin (an agent the site's manager
/// made company_admin) answers for the company and every store under it (parent_id): sees their
/// agents, names the phones of their brokers, suspends or reactivates them, hands out the
/// company's link. A broker opens the link, signs in with a named phone and a texted code, and
/// joins as that broker: no password to hand out, and nobody the company did not name gets in.
/// An everyone-broker company's link takes anyone who signs in (全民经纪人).

#include "Companies.h"
#include "ReportCode.h"

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <vector>

namespace anchang::channel {

class Roster {
public:
    Roster(const sdk::Host& host, const Companies& companies, const ReportCode& links) : host_(host), companies_(companies), links_(links) {}

    /// The companies `userId` administers: their own and the stores under it, or a 403.
    std::vector<std::int64_t> administered(std::int64_t project, std::int64_t userId) const;
    /// {"companies":[... with "link"], "agents", "roster"} of what the admin answers for.
    nlohmann::json view(std::int64_t project, std::int64_t userId) const;
    /// Names a broker's phone ({"phone","name","store"?,"company_id"?}, the admin's own company by default).
    nlohmann::json add(std::int64_t project, std::int64_t userId, const nlohmann::json& body) const;
    void remove(std::int64_t project, std::int64_t userId, const std::string& phone) const;
    /// Suspends or reactivates one of the admin's agents ({"active"}).
    nlohmann::json setActive(std::int64_t project, std::int64_t userId, std::int64_t agent, const nlohmann::json& body) const;
    /// A user who signed in by phone (`username` "phone:<number>") through a company's link joins
    /// it: a roster phone as the broker named, or anyone for an everyone-broker company.
    Companies::Agent join(std::int64_t project, std::int64_t userId, const std::string& username, const std::string& displayName,
                          const std::string& token) const;
    /// The link token of a company (for the site's manager).
    std::string link(std::int64_t project, std::int64_t company) const { return links_.companyLink(project, company); }

private:
    const sdk::Host& host_;
    const Companies& companies_;
    const ReportCode& links_;
};

} // namespace anchang::channel
