#pragma once
/// BuyerBook — the qualified buyers (认筹): who may choose at an opening. The office records each
/// with the deposit paid, their household (one unit per household unless a round allows more),
/// their eligibility group (无房户 first, say) and how many units they may take. The phone is the
/// buyer's sign-in: a buyer proves it with a texted code (the kernel's sign-in by code), which
/// marks it verified. A withdrawn buyer stays on record but takes part in no later round.

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace anchang::selection {

class BuyerBook {
public:
    struct Actor {
        std::int64_t id = 0;
        std::string name;
    };

    BuyerBook(const sdk::Host& host, nlohmann::json groups) : host_(host), groups_(std::move(groups)) {}

    /// The eligibility groups the project's configuration names: [{code, priority, zh-CN, en}].
    const nlohmann::json& groups() const { return groups_; }

    /// {"buyer_no","name","phone","household"?,"group","unit_limit"?,"deposit"}; 409 when the
    /// number or the phone is taken. The buyer becomes core's customer by phone in the same commit.
    nlohmann::json create(std::int64_t project, const nlohmann::json& body, const Actor& actor) const;
    /// Changes name, household, group, unit_limit, deposit, or status (qualified / withdrawn).
    nlohmann::json update(std::int64_t project, std::int64_t id, const nlohmann::json& body, const Actor& actor) const;
    nlohmann::json list(std::int64_t project, const std::optional<std::string>& q) const;
    nlohmann::json get(std::int64_t project, std::int64_t id) const;
    /// The buyer a signed-in phone is, or nullopt; the first time marks the phone verified.
    std::optional<nlohmann::json> signedIn(std::int64_t project, const std::string& phone) const;
    /// Buyers recorded before they were linked to core's customers get linked (publishing a round).
    void linkCustomers(std::int64_t project) const;

private:
    void check(const nlohmann::json& body, bool creating) const;

    const sdk::Host& host_;
    nlohmann::json groups_;
};

} // namespace anchang::selection
