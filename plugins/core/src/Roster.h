#pragma once
/// Roster — the project's teams and its consultants' duty status: on duty (在岗), off duty
/// (休息), absent (外出/请假), left (离职). Registration's rotation reads it; a change
/// publishes roster.changed so queued visitors can be received as soon as someone is on duty.
/// A consultant joins the roster the first time the manager places them; only users holding the
/// consultant role in the project can be placed.

#include <anchang/sdk/Host.hpp>

#include <cstdint>

namespace anchang::core {

class Roster {
public:
    explicit Roster(const sdk::Host& host) : host_(host) {}

    /// {"teams":[{"id","name","position"}],"consultants":[{"user_id","name","team_id","team",
    /// "status","weight","position"}]}
    nlohmann::json get(std::int64_t project) const;
    /// Accepts team_id (or null), status, weight (1-10), position.
    nlohmann::json place(std::int64_t project, std::int64_t user, const nlohmann::json& body) const;
    nlohmann::json addTeam(std::int64_t project, const nlohmann::json& body) const;
    nlohmann::json renameTeam(std::int64_t project, std::int64_t team, const nlohmann::json& body) const;

private:
    const sdk::Host& host_;
};

} // namespace anchang::core
