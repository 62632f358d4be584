#pragma once
/// BatchWriter — one thread that writes many buyers' sales in one store transaction, in the order
/// they came, and answers them.
///
/// On opening day two thousand confirmations arrive within a second. Each is a few short
/// statements, but as transactions of their own every one must be handed the store's write turn
/// by the one before — a thread switch that, with a thousand connections being served on two
/// cores, cost over a millisecond each (measured). Here the waiting sales are taken together and
/// SaleLedger writes them set by set on this one thread; they commit together (the kernel's group
/// commit still shares the fsync with writers elsewhere). A refused sale rolls back alone.
/// Nobody waits on a thread for it: a sale is handed over and the caller goes on, and after the
/// commit `committed` hears of the batch's sales that hold, once, then `done` of every sale, held
/// or refused, each once, all on this thread — where its buyer is answered (an HTTP answer given
/// later), never before the batch is on disk.

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
    /// A sale's end: with its version and selection filled in, or its `failure` (why it was
    /// refused, nothing of it written, or why its batch failed).
    using Done = std::function<void(std::unique_ptr<SaleLedger::Sale>)>;
    BatchWriter(const sdk::Host& host, std::size_t maxBatch, Committed committed, Done done);
    ~BatchWriter();
    BatchWriter(const BatchWriter&) = delete;
    BatchWriter& operator=(const BatchWriter&) = delete;

    /// Writes `sale` in the next batch's transaction and returns at once; `done` hears of it.
    /// A writer that is stopping refuses it there (503), still on this caller's thread.
    void submit(std::unique_ptr<SaleLedger::Sale> sale);

private:
    void loop();

    const sdk::Host& host_;
    const SaleLedger ledger_;
    const std::size_t maxBatch_;
    const Committed committed_;
    const Done done_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::unique_ptr<SaleLedger::Sale>> queue_;
    bool stopping_ = false;
    std::thread thread_;
};

} // namespace anchang::selection
