#pragma once
/// DealBook — subscriptions (认购), contracts (签约), payments and refunds. A subscription takes an
/// available or held unit; the unit's compare-and-set status guarantees it is sold once.

#include "Inventory.h"

#include <anchang/sdk/Host.hpp>

#include <cstdint>

namespace anchang::core {

class DealBook {
public:
    DealBook(const sdk::Host& host, const Inventory& inventory) : host_(host), inventory_(inventory) {}

    nlohmann::json list(std::int64_t project, std::optional<std::int64_t> customer) const;
    nlohmann::json get(std::int64_t project, std::int64_t id) const;
    /// {"customer_id","unit_id","amount"} -> the deal, stage subscription.
    nlohmann::json subscribe(std::int64_t project, const nlohmann::json& body, std::int64_t userId) const;
    nlohmann::json sign(std::int64_t project, std::int64_t id) const;
    nlohmann::json pay(std::int64_t project, std::int64_t id, const nlohmann::json& body, std::int64_t userId) const;
    nlohmann::json refund(std::int64_t project, std::int64_t id, const nlohmann::json& body, std::int64_t userId,
                          const std::string& userName) const;

private:
    const sdk::Host& host_;
    const Inventory& inventory_;
};

} // namespace anchang::core
