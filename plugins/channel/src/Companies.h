#pragma once
/// Companies — the channel companies of a project (agency → store → agent, several levels by
/// parent_id; internal 自渠 and external 外渠; distributors, platforms, everyone-brokers) with
/// their rules — protection mode and windows, allowed hidden formats, minimum advance time,
/// SMS check, contract period, active or suspended — and the agents working for them.

#include "Protection.h"

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <optional>

namespace anchang::channel {

class Companies {
public:
    struct Agent {
        std::int64_t id = 0;
        std::int64_t companyId = 0;
        std::string name;
        bool active = false;
        bool companyAdmin = false; ///< runs the company's side (Roster)
    };

    explicit Companies(const sdk::Host& host) : host_(host) {}

    nlohmann::json list(std::int64_t project) const;
    nlohmann::json get(std::int64_t project, std::int64_t id) const;
    /// Creates a company from the manager's form; 400 on a bad field, 409 on a duplicate name.
    nlohmann::json create(std::int64_t project, const nlohmann::json& body) const;
    /// Changes the rules or suspends/reactivates a company (audited by the route).
    nlohmann::json update(std::int64_t project, std::int64_t id, const nlohmann::json& body) const;
    Protection::Policy policy(const nlohmann::json& company) const;
    /// Why the company may not report now ("" when it may): suspended, or outside its contract.
    std::string closedReason(const nlohmann::json& company, std::int64_t now) const;

    nlohmann::json agents(std::int64_t project, std::optional<std::int64_t> company) const;
    nlohmann::json addAgent(std::int64_t project, const nlohmann::json& body) const;
    /// Suspends or reactivates an agent, makes them their company's admin or not, moves them to a
    /// store ({"active"?, "company_admin"?, "store"?}); the agent as listed.
    nlohmann::json updateAgent(std::int64_t project, std::int64_t id, const nlohmann::json& body) const;
    /// An everyone-broker who signed in with their phone joins the project's everyone-broker
    /// company (全民经纪人) as its agent, crediting the consultant whose link brought them
    /// (`recruitedBy`, a consultant's user id, or null). Their agent record either way.
    Agent enrol(std::int64_t project, std::int64_t userId, const std::string& username, const std::string& displayName,
                const nlohmann::json& recruitedBy) const;
    /// How many everyone-brokers `consultant` recruited in the project.
    std::int64_t recruitedBy(std::int64_t project, std::int64_t consultant) const;
    /// The agent a signed-in user is in this project, if any.
    std::optional<Agent> agentOf(std::int64_t project, std::int64_t userId) const;

private:
    nlohmann::json shape(nlohmann::json row) const;
    /// The rule fields of a create or update body, checked; only those present.
    nlohmann::json rules(const nlohmann::json& body) const;

    const sdk::Host& host_;
};

} // namespace anchang::channel
