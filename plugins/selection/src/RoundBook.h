#pragma once
/// RoundBook — an opening's rounds and their lottery (摇号), before and after the storm.
///
/// A round is mock (模拟选房) or formal; both go the same way and only a formal round reaches
/// core. draft → published: the eligible list (qualified buyers of the round's groups) and the
/// units (core's available units, which a formal round reserves in core so the desk cannot sell
/// them meanwhile) are fixed, a secret seed is made and its hash (the commitment) published with
/// the list. published → drawn: the representatives' digits are keyed in, the order is computed
/// (Lottery) and each buyer gets their place and batch (Pacing); the seed is revealed so anyone
/// can recompute it with scripts/verify-lottery. drawn → closed: by the manager or when the round
/// ends (job close_rounds); a formal round gives its unsold units back to core.

#include "BuyerBook.h"

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace anchang::selection {

class RoundBook {
public:
    using Actor = BuyerBook::Actor;
    /// Told after a round changed, so the selection desk reloads it.
    using Changed = std::function<void(std::int64_t round)>;

    RoundBook(const sdk::Host& host, const BuyerBook& buyers, Changed changed) : host_(host), buyers_(buyers), changed_(std::move(changed)) {}

    /// {"name","kind": mock|formal,"groups": [codes],"starts_at","ends_at","batch_size"?,
    ///  "batch_gap_s"?,"household_limit"?,"signing_days"?}
    nlohmann::json create(std::int64_t project, const nlohmann::json& body, const Actor& actor) const;
    /// The same fields, while the round is a draft.
    nlohmann::json update(std::int64_t project, std::int64_t id, const nlohmann::json& body, const Actor& actor) const;
    nlohmann::json list(std::int64_t project) const;
    /// The round as anyone signed in may see it: the seed only once drawn.
    nlohmann::json get(std::int64_t project, std::int64_t id) const;
    nlohmann::json publish(std::int64_t project, std::int64_t id, const Actor& actor) const;
    /// {"digits": "..."} keyed in by the buyers' representatives.
    nlohmann::json draw(std::int64_t project, std::int64_t id, const nlohmann::json& body, const Actor& actor) const;
    nlohmann::json close(std::int64_t project, std::int64_t id, const Actor& actor) const;
    /// The job: closes the project's drawn rounds whose end has passed; returns how many.
    std::int64_t closeEnded(std::int64_t project) const;
    /// A published file: eligible.csv, commitment.txt (after publishing), seed.txt, digits.txt,
    /// result.csv (after the draw). 404 before its time.
    std::string lotteryFile(std::int64_t project, std::int64_t id, const std::string& name) const;
    /// The draw's order with names for the printable result: [{order, buyer_no, name, phone, group}].
    nlohmann::json order(std::int64_t project, std::int64_t id) const;
    /// The manager's live figures: buyers, verified, who chose, units sold and left, the sold-out
    /// time, and the stragglers (their batch is open, they have not chosen).
    nlohmann::json progress(std::int64_t project, std::int64_t id) const;
    /// The demo (config/demo/selection.json), once, into a project without buyers.
    void loadDemo(std::int64_t project, const nlohmann::json& seed) const;

private:
    nlohmann::json row(std::int64_t project, std::int64_t id) const;
    /// The round's published list and result ({eligible_csv, result_csv}, null until made):
    /// kept apart from the round's row, which every sale updates.
    nlohmann::json files(std::int64_t id) const;
    nlohmann::json settings(const nlohmann::json& body, const nlohmann::json& base) const;
    void audit(std::int64_t project, std::int64_t id, const Actor& actor, const std::string& action, const nlohmann::json& detail) const;

    const sdk::Host& host_;
    const BuyerBook& buyers_;
    Changed changed_;
};

} // namespace anchang::selection
