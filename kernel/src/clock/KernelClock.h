#pragma once
/// anchang::KernelClock — the one wall clock of the kernel and its plugins (host.now()).
///
/// Business time — protection periods, call-back deadlines, nightly jobs, "today" at the sales
/// office — is read from here, never from each plugin's own system_clock, so that a test can
/// move it: started with the test-only setting `test.clock`, the clock can be set, advanced or
/// frozen through /api/v1/test/clock (a route that exists only then), and protection clocks
/// and scheduled jobs are tested by advancing it instead of sleeping. Without that setting it
/// is the system clock and cannot be moved. Timeouts of requests and sockets keep the monotonic
/// clock: they measure the machine, not the business.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace anchang {

class KernelClock {
public:
    explicit KernelClock(bool adjustable = false) : adjustable_(adjustable) {}

    /// Milliseconds since the epoch.
    std::int64_t nowMs() const;
    bool adjustable() const { return adjustable_; }

    /// Test clock only (throws sdk::Error 403 otherwise): jump to `ms`, optionally frozen there.
    void set(std::int64_t ms, bool frozen);
    /// Test clock only: move forward by `ms` (>= 0; time never runs backwards by advancing).
    void advance(std::int64_t ms);
    /// {"now","adjustable","frozen"} for the test route.
    nlohmann::json describe() const;

    /// Called after every set (jumped: true, the time may even have gone back) and advance
    /// (jumped: false), so waiting parts (the scheduler) look again at once.
    void onChange(std::function<void(bool jumped)> listener);

private:
    static std::int64_t systemMs();
    void changed(bool jumped);

    const bool adjustable_;
    mutable std::mutex mutex_;
    std::int64_t offsetMs_ = 0;  ///< added to the system clock while running
    std::int64_t frozenAt_ = -1; ///< the reading while frozen; -1 when running
    std::vector<std::function<void(bool)>> listeners_;
};

} // namespace anchang
