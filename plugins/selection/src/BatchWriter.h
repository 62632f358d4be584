#pragma once
/// BatchWriter — one thread that writes many requests' work in one store transaction, each in a
/// savepoint of its own, in the order they came.
///
/// On opening day two thousand confirmations arrive within a second. Each is a few short
/// statements (0.2 ms), but as transactions of their own every one must be handed the store's
/// write turn by the one before — a thread switch that, with a thousand connections being served
/// on two cores, cost over a millisecond each (measured). Here the bodies run back to back on one
/// thread and commit together (the kernel's group commit still shares the fsync with writers
/// elsewhere); a work that throws rolls back alone and its caller gets the exception. Nobody is
/// answered before the batch is on disk. Requests are written in arrival order.

#include <anchang/sdk/Host.hpp>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace anchang::selection {

class BatchWriter {
public:
    BatchWriter(const sdk::Host& host, std::size_t maxBatch);
    ~BatchWriter();
    BatchWriter(const BatchWriter&) = delete;
    BatchWriter& operator=(const BatchWriter&) = delete;

    /// Runs `work` inside the next batch's transaction and returns once the batch committed;
    /// rethrows what `work` threw (its writes rolled back) or why the batch failed.
    void run(const std::function<void()>& work);

private:
    struct Item {
        const std::function<void()>* work = nullptr;
        std::exception_ptr failure;
        bool done = false;
    };
    void loop();

    const sdk::Host& host_;
    const std::size_t maxBatch_;
    std::mutex mutex_;
    std::condition_variable wake_, finished_;
    std::deque<std::shared_ptr<Item>> queue_;
    bool stopping_ = false;
    std::thread thread_;
};

} // namespace anchang::selection
