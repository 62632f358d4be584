#pragma once
/// BypassRule — when a face match is a possible 飞单 (a channel claiming a buyer who had already
/// come on their own), and which earlier visit proves it.
///
/// A match alone decides nothing: it raises an alert that the risk officer rules on, and only a
/// match at or below the calibrated threshold counts (MEASURED.md). Against the earliest visit:
/// the first time the person came is what a protection rule compares with.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace anchang::face {

/// One capture of a face: who it was registered as, how that visit came, when.
struct Sighting {
    std::int64_t captureId = 0;
    std::string phone;
    std::int64_t customerId = 0; ///< 0 while the visit is not registered yet
    std::string source;          ///< natural, channel, referral, … ("" when not known yet)
    std::int64_t at = 0;
    float distance = 0;          ///< to the probe; the probe itself has 0
};

/// Why an alert is raised and the visit that proves it.
struct Finding {
    std::string rule; ///< channel_after_natural, other_phone, cobuyer_earlier_visit
    Sighting earlier;
};

class BypassRule {
public:
    explicit BypassRule(float threshold) : threshold_(threshold) {}

    /// At a registered visit: `current` against the nearest earlier captures. A channel visit that
    /// matches an earlier natural visit is channel_after_natural; any visit that matches an earlier
    /// one under another phone (and another customer) is other_phone. The earliest such visit is
    /// the evidence.
    std::optional<Finding> atVisit(const Sighting& current, const std::vector<Sighting>& nearest) const;

    /// At a subscription of a customer who came through a channel at `channelVisitAt`: a
    /// co-buyer (or the buyer) who had come on their own before that is cobuyer_earlier_visit.
    /// `sightings` are the co-buyers' own captures (distance 0) and the captures their faces
    /// match; the earliest natural one before the channel's visit is the evidence.
    std::optional<Finding> atSubscription(std::int64_t channelVisitAt, const std::vector<Sighting>& sightings) const;

    float threshold() const { return threshold_; }
    /// 1 at distance 0 falling to 0 at twice the threshold: a number a person can read, not a
    /// probability.
    float similarity(float distance) const;

private:
    bool counts(const Sighting& current, const Sighting& candidate) const;

    float threshold_;
};

}  // namespace anchang::face
