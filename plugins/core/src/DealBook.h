#pragma once
/// DealBook — subscriptions (认购), contracts (签约), payments and refunds. A subscription takes an
/// available or held unit; the unit's compare-and-set status guarantees it is sold once.
///
/// Deals are scoped as customers are: a caller with a `scope` (a consultant, who may not see
/// every customer) sees and handles only the deals of customers they own, and any other deal
/// is "not found" to them — never ¥5,000,000 recorded on a colleague's customer.

#include "Inventory.h"

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace anchang::core {

class DealBook {
public:
    DealBook(const sdk::Host& host, const Inventory& inventory) : host_(host), inventory_(inventory) {}

    /// The owner a caller is limited to, or nullopt for every customer.
    using Scope = std::optional<std::int64_t>;

    nlohmann::json list(std::int64_t project, std::optional<std::int64_t> customer, Scope scope) const;
    nlohmann::json get(std::int64_t project, std::int64_t id, Scope scope = std::nullopt) const;
    /// {"customer_id","unit_id","amount"} -> the deal, stage subscription.
    nlohmann::json subscribe(std::int64_t project, const nlohmann::json& body, std::int64_t userId, Scope scope) const;
    /// Subscriptions another module asked for (core.deals.subscribe), all or none:
    /// {"subscriptions": [{"customer_id","unit_id","amount","reference","sign_by"?}]} →
    /// {"deals": [{"reference","deal_id","created"}]}. The reference makes each idempotent: asked
    /// again, the deal made the first time comes back (created = false) and nothing changes.
    nlohmann::json subscribeFor(std::int64_t project, const nlohmann::json& body) const;
    nlohmann::json sign(std::int64_t project, std::int64_t id, Scope scope) const;
    nlohmann::json pay(std::int64_t project, std::int64_t id, const nlohmann::json& body, std::int64_t userId, Scope scope) const;
    nlohmann::json refund(std::int64_t project, std::int64_t id, const nlohmann::json& body, std::int64_t userId,
                          const std::string& userName) const;

private:
    /// `sqlUpToIn` ("SELECT … WHERE project_id = ? AND x IN") over `values`, an IN list at a time.
    template <typename Value>
    nlohmann::json lookup(const std::string& sqlUpToIn, std::int64_t project, const std::vector<Value>& values) const;
    /// The new deals of subscribeFor, a few rows a statement: their ids by reference.
    std::map<std::string, std::int64_t> insertDeals(std::int64_t project, const std::vector<const nlohmann::json*>& fresh,
                                                    const std::map<std::int64_t, nlohmann::json>& ownerOf, std::int64_t now) const;

    const sdk::Host& host_;
    const Inventory& inventory_;
};

} // namespace anchang::core
