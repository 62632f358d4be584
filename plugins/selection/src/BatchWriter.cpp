#include "BatchWriter.h"

#include <string>
#include <utility>
#include <vector>

namespace anchang::selection {

BatchWriter::BatchWriter(const sdk::Host& host, std::size_t maxBatch, Committed committed, Done done)
    : host_(host), ledger_(host), maxBatch_(maxBatch), committed_(std::move(committed)), done_(std::move(done)), thread_([this] { loop(); }) {}

BatchWriter::~BatchWriter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void BatchWriter::submit(std::unique_ptr<SaleLedger::Sale> sale) {
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            queue_.push_back(std::move(sale));
            wake_.notify_one();
            return;
        }
    }
    sale->failure = std::make_exception_ptr(sdk::Error::unavailable("selection.stopping", "the module is stopping"));
    done_(std::move(sale));
}

void BatchWriter::loop() {
    for (;;) {
        std::vector<std::unique_ptr<SaleLedger::Sale>> batch;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return; // stopping, and every sale handed over was answered
            while (!queue_.empty() && batch.size() < maxBatch_) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        std::vector<SaleLedger::Sale*> sales;
        for (const auto& sale : batch) sales.push_back(sale.get());
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
        for (auto& sale : batch) {
            try {
                done_(std::move(sale));
            } catch (const std::exception& e) {
                host_.error(std::string("answering a sale: ") + e.what());
            }
        }
    }
}

} // namespace anchang::selection
