#pragma once
/// Collisions — 撞单, ruled the moment they appear, with their evidence:
///  - channels: a visit confirmed one report while another channel's report of the same customer
///    still held (a hidden number and the full one, or 到访为王 where both may report);
///  - site: a channel's code for a customer who came to the site before the report;
///  - lapsed: a subscription after the channel's protection lapsed.
/// The project's rule (`collision_rule`: first_report or first_visit; hook channel.arbitrate may
/// replace it) picks the winning report, or the site; the ruling keeps the rule, the times and the
/// evidence (the reports, the customer's visits), tells every agent involved, and may be appealed
/// once by a losing agent to the manager, whose decision is final and audited.

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace anchang::channel {

class Collisions {
public:
    Collisions(const sdk::Host& host, std::string rule) : host_(host), rule_(std::move(rule)) {}

    /// Rules a collision among `reports` (report rows) and applies it: the winner holds the
    /// visit, the others lose with the reason. Returns the collision.
    nlohmann::json rule(std::int64_t project, const std::string& kind, const nlohmann::json& customerId, const std::string& phone,
                        const nlohmann::json& reports) const;
    nlohmann::json list(std::int64_t project, const std::optional<std::string>& status) const;
    nlohmann::json get(std::int64_t project, std::int64_t id) const;
    /// A losing agent asks the manager to look again, once, with a reason.
    nlohmann::json appeal(std::int64_t project, std::int64_t id, std::int64_t agentId, const std::string& reason) const;
    /// The manager's final word: `winner` a report of the collision, or null for the site.
    nlohmann::json decide(std::int64_t project, std::int64_t id, const nlohmann::json& winner, const std::string& note, std::int64_t actorId,
                          const std::string& actorName) const;

private:
    nlohmann::json shape(nlohmann::json row) const;
    /// Makes `winner` (or the site) hold the customer among the collision's reports.
    void apply(std::int64_t project, const nlohmann::json& collision, const nlohmann::json& winner, const std::string& why) const;
    /// Tells core the customer's channel when the ruling gives them to another winner than
    /// `holder` (the report that held them before): the winner's company, or no channel.
    void attribute(std::int64_t project, const nlohmann::json& collision, const nlohmann::json& winner, const nlohmann::json& holder) const;
    void tell(std::int64_t project, const nlohmann::json& collision) const;

    const sdk::Host& host_;
    std::string rule_;
};

} // namespace anchang::channel
