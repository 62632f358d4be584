#pragma once
/// AlertBook — possible bypasses (飞单) for the risk officer: raised once per pair of captures
/// with both visits' facts kept beside them, listed, looked at (audited), ruled with a note
/// (audited, published), and asked by the channel before it confirms a customer (确客).

#include "Actor.h"
#include "BypassRule.h"

#include <anchang/sdk/Host.hpp>

namespace anchang::face {

class AlertBook {
public:
    /// `hold` is config hold_channel_confirmation: true or false for every project, or by project
    /// code ({"binjiang": false, "default": true}).
    AlertBook(const sdk::Host& host, const BypassRule& rule, nlohmann::json hold) : host_(host), rule_(rule), hold_(std::move(hold)) {}

    /// Inside the caller's transaction: records the alert unless this pair was raised before;
    /// tells the managers and the risk officers. `current` and `earlier` are visit snapshots.
    void raise(std::int64_t project, const Finding& finding, const nlohmann::json& current, const nlohmann::json& earlier, const nlohmann::json& customerId);

    nlohmann::json list(std::int64_t project, const std::string& status) const;
    nlohmann::json get(std::int64_t project, std::int64_t id, const Actor& actor) const;
    nlohmann::json rule(std::int64_t project, std::int64_t id, const nlohmann::json& body, const Actor& actor);
    /// channel.confirmation.check: refuse after a confirmed bypass, hold while one is open (when
    /// the project holds confirmations), else clear.
    nlohmann::json confirmation(std::int64_t project, const nlohmann::json& body) const;

    /// A capture's facts as an alert shows them (masked phone).
    static nlohmann::json snapshot(const nlohmann::json& capture);

private:
    nlohmann::json view(std::int64_t project, const nlohmann::json& row) const;
    /// Whether the project makes the channel's confirmation wait for an open alert.
    bool holds(std::int64_t project) const;

    const sdk::Host& host_;
    const BypassRule& rule_;
    nlohmann::json hold_;
};

}  // namespace anchang::face
