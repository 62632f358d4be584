#pragma once
/// Rulings — 判客 and departures. A supervisor opens a case on who owns a customer (the owner
/// against a claimant); the evidence is gathered at once and kept as it was — the customer's
/// timeline (visits, calls, reports, follow-ups, deals, each from its module) — beside each
/// side's follow-ups; the decision reassigns in one step through core (audited there), tells both
/// consultants, and is audited here with the case. A leaving consultant's customers are handed
/// over in bulk to one or several colleagues, in turn.

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace anchang::followup {

class Rulings {
public:
    explicit Rulings(const sdk::Host& host) : host_(host) {}

    nlohmann::json list(std::int64_t project, const std::optional<std::string>& status) const;
    /// {"customer_id","claimant_id","reason"}: one open case per customer (409 otherwise).
    nlohmann::json open(std::int64_t project, const nlohmann::json& body, std::int64_t actor) const;
    /// {"winner_id","note"}: the owner keeps the customer, or the claimant gets it.
    nlohmann::json decide(std::int64_t project, std::int64_t id, const nlohmann::json& body, std::int64_t actor, const std::string& actorName) const;
    /// {"from_id","to_ids":[...],"reason"}: every customer of `from` to the colleagues in turn.
    nlohmann::json handover(std::int64_t project, const nlohmann::json& body, std::int64_t actor, const std::string& actorName) const;

private:
    nlohmann::json get(std::int64_t project, std::int64_t id) const;
    /// The project's consultants (core's roster), asked once per action.
    nlohmann::json roster(std::int64_t project) const;
    /// A consultant's display name among `consultants`, for the texts.
    static std::string nameOf(const nlohmann::json& consultants, const nlohmann::json& user);
    /// Throws 400 unless `user` is among `consultants` and has not left.
    static void consultant(const nlohmann::json& consultants, const nlohmann::json& user);

    const sdk::Host& host_;
};

} // namespace anchang::followup
