#pragma once
/// BatchWriter — one thread that writes many buyers' sales in one store transaction, in the order
/// they came.
///
/// On opening day two thousand confirmations arrive within a second. Each is a few short
/// statements, but as transactions of their own every one must be handed the store's write turn
/// by the one before — a thread switch that, with a thousand connections being served on two
/// cores, cost over a millisecond each (measured). Here the waiting sales are taken together and
/// SaleLedger writes them set by set on this one thread; they commit together (the kernel's group
/// commit still shares the fsync with writers elsewhere). A refused sale rolls back alone and its
/// caller gets the refusal. Nobody is answered before the batch is on disk; `committed` hears of
/// the batch's sales that hold, once, on this thread, before their callers are answered.

#include "SaleLedger.h"

#include <anchang/sdk/Host.hpp>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace anchang::selection {

class BatchWriter {
public:
    using Committed = std::function<void(const std::vector<SaleLedger::Sale*>&)>;
    BatchWriter(const sdk::Host& host, std::size_t maxBatch, Committed committed);
    ~BatchWriter();
    BatchWriter(const BatchWriter&) = delete;
    BatchWriter& operator=(const BatchWriter&) = delete;

    /// Writes `sale` in the next batch's transaction and returns once the batch committed, with
    /// the sale's version and selection filled in; rethrows why the sale was refused (nothing of
    /// it written) or why the batch failed.
    void run(SaleLedger::Sale& sale);

private:
    struct Item {
        SaleLedger::Sale* sale = nullptr;
        bool done = false;
    };
    void loop();

    const sdk::Host& host_;
    const SaleLedger ledger_;
    const std::size_t maxBatch_;
    const Committed committed_;
    std::mutex mutex_;
    std::condition_variable wake_, finished_;
    std::deque<std::shared_ptr<Item>> queue_;
    bool stopping_ = false;
    std::thread thread_;
};

} // namespace anchang::selection
