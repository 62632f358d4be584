#pragma once
/// SubscriptionRelay — core's subscriptions (认购) for a formal round's selections, asked for
/// once the selections are on disk and acknowledged.
///
/// On opening day a sale is decided by the selection's own commit: its unit, its buyer's and
/// household's counts, its row. Core's subscription used to be made inside that commit, and a
/// batch of sixty sales then waited for core's transaction over the bus — the larger half of
/// every batch, and the buyers behind them waited too (docs/perf.md, the opening storm). Now
/// the subscription follows: the selection is stored without its deal (deal_id NULL), the
/// buyer is answered, and this relay asks core for the batch's subscriptions (one
/// core.deals.subscribe per project and up to 500) and records each deal id.
///
/// Nothing is lost on the way: what is pending is in the store, and a restart starts by asking
/// again for every formal selection without a deal; core.deals.subscribe is idempotent by
/// reference ("selection:<id>"), so a request that was answered but not recorded before a kill
/// makes nothing twice. When core cannot answer (a timeout, not running) the relay waits and
/// asks again, from 1 s doubling to a minute. When core refuses a batch (a customer merged away,
/// a unit someone sold past the opening), each selection is asked alone so that one refusal
/// does not hold the others; a selection refused alone raises an alert for the managers and is
/// asked again only after a restart.
///
/// While sales keep coming (the opening's first second) the relay lets them: core's transaction
/// would take the store's write turn and a core's worth of CPU from the buyers still choosing
/// (an eighth of the storm's CPU, measured), and after the last sale thousands of buyers are
/// still being told "sold". It asks once sales pause for a second, or when the oldest has waited
/// five — the buyer's page shows the subscription as being made and looks again every ten.

#include <anchang/sdk/Host.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace anchang::selection {

class SubscriptionRelay {
public:
    /// A formal selection whose subscription core has not made yet.
    struct Pending {
        std::int64_t project = 0;
        std::int64_t selection = 0;
        std::int64_t customer = 0;
        std::int64_t unit = 0;
        std::int64_t amount = 0;
        std::int64_t signBy = 0;
    };

    /// `background`: a thread of its own relays whatever is added (the plugin); without it the
    /// caller calls relayOnce() (rule tests, which drive the test host from one thread).
    SubscriptionRelay(const sdk::Host& host, bool background);
    ~SubscriptionRelay();
    SubscriptionRelay(const SubscriptionRelay&) = delete;
    SubscriptionRelay& operator=(const SubscriptionRelay&) = delete;

    /// Every formal selection the store holds without a deal (after a restart).
    void recover();
    /// Selections just committed.
    void add(std::vector<Pending> pending);
    /// Asks core for what is pending now, once. Returns when to try again if core could not
    /// answer (nullopt: nothing left to retry).
    std::optional<std::chrono::milliseconds> relayOnce();
    /// Selections waiting for their subscription.
    std::size_t pending() const;

private:
    void loop();
    /// One core.deals.subscribe for `batch` (one project's): records the deals. Throws
    /// sdk::Error when core refuses, and anything else when it cannot answer.
    void subscribe(const std::vector<Pending>& batch);
    /// A selection core refused alone: said to the managers, left for a restart.
    void refused(const Pending& one, const sdk::Error& why);

    const sdk::Host& host_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Pending> queue_;
    std::chrono::steady_clock::time_point lastAdded_, oldest_; ///< the latest add(); the first still waiting
    std::chrono::milliseconds backoff_{0};
    bool stopping_ = false;
    std::thread thread_;
};

} // namespace anchang::selection
