#pragma once
/// PoolBook — the public pool (公海): customers nobody owns, each with why they came (a defeat
/// and its reason, lapsed protection, a departed consultant, no subscription long after the first
/// visit, invalid), and how they leave (claimed). Entering releases the customer in core in the
/// same commit (core.customer.release, guarded by the owner it had); leaving by a claim assigns
/// the claimer through core with a new protection period. A customer with a deal never enters.
///
///  - Defeats (战败): the owner applies with a standard reason and a note; the supervisor approves
///    (the customer enters the pool), rejects, or extends the protection instead — always with a
///    written opinion — and the applicant is told.
///  - Claims (捞取): ClaimRules decide; with claim_needs_approval the supervisor approves. Two
///    claims on one customer: the entry's close is conditional, one wins, the other is refused
///    with the reason.
///  - Recycling (nightly): lapsed protection, departed consultants' customers, no subscription
///    within no_deal_days of the first visit; each entry keeps its reason.

#include "ClaimRules.h"

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace anchang::pool {

class PoolBook {
public:
    struct Settings {
        ClaimRules::Policy claims;
        bool claimNeedsApproval = true;
        int noDealDays = 90;
        int extendDays = 15;
        nlohmann::json reasons = nlohmann::json::array(); ///< [{id, zh-CN, en, invalid?}]
    };
    struct Actor {
        std::int64_t id = 0;
        std::string name;
        bool supervisor = false; ///< pool.approve
    };

    PoolBook(const sdk::Host& host, Settings settings) : host_(host), settings_(std::move(settings)), rules_(settings_.claims) {}

    const nlohmann::json& reasons() const { return settings_.reasons; }

    /// {"customer_id","reason_id","note"} by the customer's owner; one pending per customer.
    nlohmann::json applyDefeat(std::int64_t project, const Actor& actor, const nlohmann::json& body) const;
    /// {"decision": approve | reject | extend, "opinion"} (the opinion is required).
    nlohmann::json decideDefeat(std::int64_t project, std::int64_t id, const Actor& actor, const nlohmann::json& body) const;
    /// Pending ones for a supervisor, one's own otherwise.
    nlohmann::json defeats(std::int64_t project, const Actor& actor, const std::optional<std::string>& status) const;

    /// The pool now (open entries), newest first, with whether `actor` may claim each and why not.
    nlohmann::json entries(std::int64_t project, const Actor& actor, const std::optional<std::string>& reason, int limit) const;
    nlohmann::json claim(std::int64_t project, std::int64_t entry, const Actor& actor) const;
    /// {"decision": approve | reject, "opinion"?}
    nlohmann::json decideClaim(std::int64_t project, std::int64_t id, const Actor& actor, const nlohmann::json& body) const;
    nlohmann::json claims(std::int64_t project, const Actor& actor, const std::optional<std::string>& status) const;

    /// A supervisor marks a customer invalid (空号, not a buyer): it enters the pool as such.
    nlohmann::json markInvalid(std::int64_t project, const Actor& actor, const nlohmann::json& body) const;
    /// The nightly recycling; returns how many customers entered.
    std::int64_t recycle(std::int64_t project) const;
    /// A claimed customer subscribed: the entry records the deal (rewards: deals from the pool).
    void subscribed(std::int64_t project, const nlohmann::json& event) const;

    /// Defeat reasons TOP, entries and claims per reason, activation rate, deals from the pool, in [from, to).
    nlohmann::json analysis(std::int64_t project, std::int64_t from, std::int64_t to) const;
    nlohmann::json timeline(std::int64_t project, const nlohmann::json& input) const;
    /// The demo (config/demo/pool.json), once, into a project whose pool is empty: pending
    /// defeat requests by the customers' owners, and a first recycling run.
    void loadDemo(const nlohmann::json& seed) const;

private:
    /// Puts the customer in the pool: released in core (only while `owner` still owns them),
    /// the entry written, pool.entered published — one commit. False when the customer moved on.
    bool enter(std::int64_t project, const nlohmann::json& customer, const std::string& reason, const nlohmann::json& reasonId,
               const std::string& why) const;
    nlohmann::json reasonOf(const std::string& id) const;
    int counted(std::int64_t project, std::int64_t consultant, const char* column, const std::string& period) const;
    void tell(std::int64_t project, std::int64_t user, const std::string& templateName, const nlohmann::json& params) const;

    const sdk::Host& host_;
    Settings settings_;
    ClaimRules rules_;
};

} // namespace anchang::pool
