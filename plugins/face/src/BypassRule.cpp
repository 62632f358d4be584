#include "BypassRule.h"

#include <algorithm>

namespace anchang::face {

bool BypassRule::counts(const Sighting& current, const Sighting& candidate) const {
    return candidate.captureId != current.captureId && candidate.distance <= threshold_ && candidate.at < current.at;
}

std::optional<Finding> BypassRule::atVisit(const Sighting& current, const std::vector<Sighting>& nearest) const {
    const Sighting* natural = nullptr;
    const Sighting* otherPhone = nullptr;
    for (const auto& candidate : nearest) {
        if (!counts(current, candidate)) continue;
        if (candidate.source == "natural" && (!natural || candidate.at < natural->at)) natural = &candidate;
        // The same customer under a household member's phone is not someone else.
        const bool someoneElse = candidate.phone != current.phone && (candidate.customerId == 0 || candidate.customerId != current.customerId);
        if (someoneElse && (!otherPhone || candidate.at < otherPhone->at)) otherPhone = &candidate;
    }
    if (current.source == "channel" && natural) return Finding{"channel_after_natural", *natural};
    if (otherPhone) return Finding{"other_phone", *otherPhone};
    return std::nullopt;
}

std::optional<Finding> BypassRule::atSubscription(std::int64_t channelVisitAt, const std::vector<Sighting>& sightings) const {
    const Sighting* earliest = nullptr;
    for (const auto& candidate : sightings) {
        if (candidate.distance > threshold_) continue;
        if (candidate.source != "natural" || candidate.at >= channelVisitAt) continue;
        if (!earliest || candidate.at < earliest->at) earliest = &candidate;
    }
    if (earliest) return Finding{"cobuyer_earlier_visit", *earliest};
    return std::nullopt;
}

float BypassRule::similarity(float distance) const {
    return std::clamp(1.0f - distance / (2 * threshold_), 0.0f, 1.0f);
}

}  // namespace anchang::face
