#pragma once
/// ProtectionClock — how long a consultant keeps a customer (保护期). Core starts the owner's
/// protection when they get the customer (its default period, 30 days). Each valid follow-up
/// extends it to now + extendDays, never past since + maxDays (the hard maximum, counted from
/// when the owner got the customer) and never shortens it. A follow-up is valid when it says
/// something: at least validMinChars characters (not bytes: Chinese text counts by character).

#include <cstdint>
#include <optional>
#include <string>

namespace anchang::followup {

class ProtectionClock {
public:
    static constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

    struct Policy {
        int extendDays = 30;
        int maxDays = 90;
        std::size_t validMinChars = 10;
    };

    explicit ProtectionClock(Policy policy) : policy_(policy) {}

    const Policy& policy() const { return policy_; }
    bool valid(const std::string& content) const;
    /// The protection's new end after a valid follow-up at `now`, or nullopt when it would not
    /// move later (already later, or the hard maximum reached).
    std::optional<std::int64_t> extended(std::int64_t since, std::optional<std::int64_t> current, std::int64_t now) const;
    /// The latest the protection may reach for an owner who got the customer at `since`.
    std::int64_t hardEnd(std::int64_t since) const { return since + policy_.maxDays * kDayMs; }

private:
    Policy policy_;
};

} // namespace anchang::followup
