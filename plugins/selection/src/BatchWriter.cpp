#include "BatchWriter.h"

#include <vector>

namespace anchang::selection {

BatchWriter::BatchWriter(const sdk::Host& host, std::size_t maxBatch) : host_(host), ledger_(host), maxBatch_(maxBatch), thread_([this] { loop(); }) {}

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
        {
            std::lock_guard lock(mutex_);
            for (const auto& item : batch) item->done = true;
        }
        finished_.notify_all();
    }
}

} // namespace anchang::selection
