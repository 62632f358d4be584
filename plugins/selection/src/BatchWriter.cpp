#include "BatchWriter.h"

#include <string>
#include <utility>
#include <vector>

namespace anchang::selection {

BatchWriter::BatchWriter(const sdk::Host& host, std::size_t maxBatch, Committed committed)
    : host_(host), ledger_(host), maxBatch_(maxBatch), committed_(std::move(committed)), thread_([this] { loop(); }) {}

BatchWriter::~BatchWriter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void BatchWriter::run(SaleLedger::Sale& sale) {
    auto item = std::make_shared<Item>();
    item->sale = &sale;
    std::unique_lock lock(mutex_);
    if (stopping_) throw sdk::Error::unavailable("selection.stopping", "the module is stopping");
    queue_.push_back(item);
    wake_.notify_one();
    finished_.wait(lock, [&] { return item->done; });
    if (sale.failure) std::rethrow_exception(sale.failure);
}

void BatchWriter::loop() {
    for (;;) {
        std::vector<std::shared_ptr<Item>> batch;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return; // stopping, and nobody waits
            while (!queue_.empty() && batch.size() < maxBatch_) {
                batch.push_back(queue_.front());
                queue_.pop_front();
            }
        }
        std::vector<SaleLedger::Sale*> sales;
        for (const auto& item : batch) sales.push_back(item->sale);
        try {
            host_.db().transaction([&] {
                ledger_.write(sales);
                host_.crashPoint("selection.before_commit");
            });
        } catch (...) {
            // The commit failed: nothing of the batch holds, and everyone in it is told.
            for (auto* sale : sales) sale->failure = std::current_exception();
        }
        std::vector<SaleLedger::Sale*> held;
        for (auto* sale : sales)
            if (!sale->failure) held.push_back(sale);
        // On disk whatever happens next: a failure here leaves the memory behind the store,
        // which only costs the next requests a trip to the store's compare-and-sets.
        try {
            if (!held.empty()) committed_(held);
        } catch (const std::exception& e) {
            host_.error(std::string("after the commit of ") + std::to_string(held.size()) + " sales: " + e.what());
        }
        {
            std::lock_guard lock(mutex_);
            for (const auto& item : batch) item->done = true;
        }
        finished_.notify_all();
    }
}

} // namespace anchang::selection
