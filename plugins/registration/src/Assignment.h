#pragma once
/// Assignment — who receives a visitor and who owns the customer: the front desk's rule, in one
/// place.
///
///  1. A returning customer still under protection goes to the owner. If the owner is not on
///     duty, a colleague on duty receives on the owner's behalf (from the owner's team when
///     possible): the owner keeps the customer and the colleague keeps their turn
///     ("其接待新客户机会保留").
///  2. A customer who names a consultant gets that consultant as owner, with the reason kept;
///     a designation does not use anyone's turn.
///  3. Otherwise (a new customer, an expired protection, an owner who left) the built-in
///     rotation orders the consultants on duty — those free before those still receiving a
///     visitor (busy_consultants_wait: a consultant with someone waiting for them or with them
///     waits their turn until they see that visitor off, as a sales office's 轮岗 expects; when
///     all are busy, the visitor waits for whose turn it is), then fewest turns today for their
///     weight, then the longest wait since their last turn, then roster order; by team first
///     when rotation_by_team is set — and the project's `registration.assign` hook may choose
///     someone else among them, or veto. If the hook fails, the rotation decides.
///  4. Nobody on duty: the visitor is queued and the managers are alerted.
///
/// Turns are read and taken one registration at a time per project (turnLock): nine desks
/// registering at once must not all read the same "fewest turns" before any of them commits.

#include "LocalDay.h"
#include "Register.h"

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace anchang::registration {

class Assignment {
public:
    struct Consultant {
        std::int64_t id = 0;
        std::string name;
        nlohmann::json team; ///< team name or null
        std::string status;
        int weight = 1;
        int turnsToday = 0;
        std::int64_t lastTurnAt = 0;
        bool busy = false; ///< a visitor is waiting for them or with them
    };
    struct Options {
        bool byTeam = false;
        bool busyWait = true;
        int receptionMinutesMax = 120; ///< a reception nobody closed stops making its receiver busy after this
    };
    struct Decision {
        std::string method; ///< returning, covering, designated, rotation, hook, queued
        std::optional<std::int64_t> receiver;
        std::string receiverName;
        std::optional<std::int64_t> owner;
        std::string ownerName;
        std::optional<std::int64_t> onBehalfOf;
        std::string reason;
        bool countsTurn = false;
        bool newOwner = false; ///< this visit gives the customer its owner
        std::string hookError; ///< why the project's script was not followed
    };
    struct Visitor {
        std::string name;
        std::string maskedPhone;
        nlohmann::json questionnaire;
        std::optional<std::int64_t> designated;
        std::string designationReason;
    };

    Assignment(const sdk::Host& host, const LocalDay& day, const Register& book, Options options)
        : host_(host), day_(day), register_(book), options_(options) {}

    /// Held from reading the turns to committing the visit that takes one.
    [[nodiscard]] std::unique_lock<std::mutex> turnLock(std::int64_t project) const;
    /// Per consultant, the visitor they are with now (see Register::receiving).
    std::map<std::int64_t, nlohmann::json> receiving(std::int64_t project) const;

    /// The roster's consultants on duty, in the order the built-in rotation would take them.
    std::vector<Consultant> rotation(std::int64_t project) const { return ordered(roster(project)); }
    /// The decision for one visitor; `customer` is core's record or null. Throws sdk::Error 422
    /// registration.vetoed when the project's script refuses, 400 for an unknown designation.
    Decision decide(std::int64_t project, const nlohmann::json& customer, const Visitor& visitor) const;

private:
    std::vector<Consultant> roster(std::int64_t project) const;
    std::vector<Consultant> ordered(std::vector<Consultant> all) const;
    /// A colleague on duty to cover for `owner`, preferring the owner's team.
    std::optional<Consultant> colleagueFor(const std::vector<Consultant>& onDuty, const std::vector<Consultant>& all,
                                           std::int64_t owner) const;

    const sdk::Host& host_;
    const LocalDay& day_;
    const Register& register_;
    Options options_;
    mutable std::mutex locksMutex_;
    mutable std::map<std::int64_t, std::unique_ptr<std::mutex>> turnLocks_;
};

} // namespace anchang::registration
