#pragma once
/// Inventory — buildings and units with their sales status: available, held (销控保留),
/// selected, subscribed (认购), signed (签约). A status changes only from an expected status
/// (compare and set on a version), so two people can never move one unit at once.

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace anchang::core {

class Inventory {
public:
    explicit Inventory(const sdk::Host& host) : host_(host) {}

    nlohmann::json buildings(std::int64_t project) const;
    nlohmann::json units(std::int64_t project, std::optional<std::int64_t> building, const std::optional<std::string>& status) const;
    nlohmann::json unit(std::int64_t project, std::int64_t id) const;
    /// Hold or release (status held/available) and reprice (list_price), audited.
    nlohmann::json update(std::int64_t project, std::int64_t id, const nlohmann::json& body, std::int64_t actorId, const std::string& actorName) const;
    /// Moves a unit from one of `from` to `to`; false when its status is something else. The
    /// caller publishes unit.status_changed once its transaction committed.
    bool move(std::int64_t project, std::int64_t id, std::initializer_list<const char*> from, const std::string& to) const;
    /// move() for many units in a few statements: the ids that moved.
    std::set<std::int64_t> moveAll(std::int64_t project, const std::vector<std::int64_t>& ids, std::initializer_list<const char*> from,
                                   const std::string& to) const;
    /// An opening takes its units out of the desk's hands (available → selected) and gives back
    /// the ones it did not sell (selected → available). Each unit moves or is listed as refused
    /// with its status; one transaction, so a half-reserved opening is never seen.
    nlohmann::json reserve(std::int64_t project, const nlohmann::json& unitIds, bool reserve) const;
    /// Distinct layouts, for the visit questionnaire.
    nlohmann::json layouts(std::int64_t project) const;

private:
    const sdk::Host& host_;
};

} // namespace anchang::core
