#pragma once
/// CustomerBook — customers, unique per project by mobile number, and their ownership.
///
/// A customer is a household: the person who came, and the spouse, parents and children linked
/// to them, each with a phone of their own; a visit by any of them is a visit of the customer.
/// Ownership (owner, source, channel, first visit, protection) changes only here: through the
/// bus services registration and later modules call, or through the ruling and origin routes,
/// always with a reason and an audit entry. Claiming a new customer is one transaction, so two
/// front desks registering the same new phone at once make one customer with one owner: the
/// first to commit.

#include "ProjectProfile.h"

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace anchang::core {

class CustomerBook {
public:
    struct Actor {
        std::int64_t id = 0;
        std::string name;
    };
    struct Claim {
        nlohmann::json customer;
        bool created = false;
    };

    CustomerBook(const sdk::Host& host, const ProjectProfile& profile) : host_(host), profile_(profile) {}

    /// The customer a phone belongs to, or null. 400 customer.phone_invalid for a bad number.
    nlohmann::json find(std::int64_t project, const std::string& phone) const;
    nlohmann::json get(std::int64_t project, std::int64_t id) const;
    /// What a customer list asks for; every filter is optional. The period, source and stage are
    /// the site dashboard's figures (core.customers.stats): a figure opens exactly its rows.
    struct ListFilter {
        std::optional<std::string> phone; ///< exact, any household member's
        std::optional<std::string> q;     ///< a fragment of the name or a phone
        std::optional<std::int64_t> owner;
        std::optional<std::int64_t> createdFrom, createdTo; ///< registered in [from, to)
        std::optional<std::string> source;
        std::optional<std::string> stage; ///< "visited" (came at least once) or "deal" (a deal not refunded)
        int limit = 50, offset = 0;
    };
    /// Newest first. 400 customer.invalid for an unknown stage or a period that ends before it starts.
    nlohmann::json list(std::int64_t project, const ListFilter& filter) const;

    /// Creates the customer for `phone` owned by `ownerId`, with this first visit counted, unless
    /// one exists already: then that one comes back with created = false and nothing changes.
    Claim claim(std::int64_t project, const nlohmann::json& request) const;
    /// Counts a visit: last visit time and visit count.
    nlohmann::json visited(std::int64_t project, std::int64_t customer, std::int64_t at) const;
    /// What a voided visit gave, undone (core.customer.visit_voided): one visit fewer, the last
    /// and first visit times the caller computed from the valid visits left, and, with a
    /// `release`, the previous owner and protection, only while the visit's owner is still the
    /// owner (a ruling since then stands). Returns the customer and whether the owner was released.
    std::pair<nlohmann::json, bool> visitVoided(std::int64_t project, const nlohmann::json& request, const Actor& actor) const;
    nlohmann::json assignOwner(std::int64_t project, std::int64_t customer, std::int64_t owner, const std::string& reason,
                               const Actor& actor) const;
    /// Sets the owner's protection to `until` (core.customer.protect: a follow-up extends it),
    /// only while `owner` still owns the customer — a late follow-up of a former owner moves
    /// nothing (409 customer.owner_changed). Audited.
    nlohmann::json protect(std::int64_t project, std::int64_t customer, std::int64_t owner, std::int64_t until, const std::string& reason,
                           const Actor& actor) const;
    /// The customer owned by nobody from now (core.customer.release: defeat, recycling into the
    /// pool), only while `owner` still owns them when given. Audited; customer.owner_changed.
    nlohmann::json release(std::int64_t project, std::int64_t customer, const nlohmann::json& owner, const std::string& reason,
                           const Actor& actor) const;
    /// Owned customers by a condition (core.customers.select), for nightly jobs: `lapsed_before`
    /// (protection ended before), `owners` (owned by these users), `first_visit_before` with
    /// `without_deal` (no subscription since); ids after `after_id`, at most `limit` (≤ 1000).
    nlohmann::json select(std::int64_t project, const nlohmann::json& request) const;
    /// Customers who came in [from, to) by source (core.customers.stats): how many, how many
    /// visited, how many have a live deal — the manager's funnel and the quality of each source.
    nlohmann::json stats(std::int64_t project, std::int64_t from, std::int64_t to) const;
    /// Source, channel and first-visit time, which consultants may not change.
    nlohmann::json changeOrigin(std::int64_t project, std::int64_t customer, const nlohmann::json& body, const Actor& actor) const;
    nlohmann::json addPerson(std::int64_t project, std::int64_t customer, const nlohmann::json& body) const;
    std::int64_t visitCount(std::int64_t project, const nlohmann::json& request) const;
    /// How many protected customers each consultant owns: a hint for assignment rules that
    /// balance load, so it is counted at most every 30 s per project, not per registration.
    nlohmann::json owned(std::int64_t project) const;
    /// The kinds of source a customer may have, with their names: reports of other modules
    /// group by source without knowing the list.
    static nlohmann::json sources();

private:
    /// A customer row with its household, as the API answers it.
    nlohmann::json shape(std::int64_t project, nlohmann::json row) const;
    /// The derived fields (protected, project_id) of a row that has its persons.
    nlohmann::json finish(std::int64_t project, nlohmann::json row) const;

    /// Drops the project's cached counts of owned customers: an owner changed.
    void forgetOwned(std::int64_t project) const;

    const sdk::Host& host_;
    const ProjectProfile& profile_;
    struct Counted {
        std::int64_t at = 0;
        nlohmann::json owned;
    };
    mutable std::mutex ownedMutex_;
    mutable std::map<std::int64_t, Counted> owned_;
};

} // namespace anchang::core
