#include "BatchWriter.h"

#include <vector>

namespace anchang::selection {

BatchWriter::BatchWriter(const sdk::Host& host, std::size_t maxBatch) : host_(host), maxBatch_(maxBatch), thread_([this] { loop(); }) {}

BatchWriter::~BatchWriter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void BatchWriter::run(const std::function<void()>& work) {
    auto item = std::make_shared<Item>();
    item->work = &work;
    std::unique_lock lock(mutex_);
    if (stopping_) throw sdk::Error::unavailable("selection.stopping", "the module is stopping");
    queue_.push_back(item);
    wake_.notify_one();
    finished_.wait(lock, [&] { return item->done; });
    if (item->failure) std::rethrow_exception(item->failure);
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
        try {
            host_.db().transaction([&] {
                for (const auto& item : batch) {
                    try {
                        host_.db().transaction([&] { (*item->work)(); }); // a savepoint: a refusal rolls back alone
                    } catch (...) {
                        item->failure = std::current_exception();
                    }
                }
            });
        } catch (...) {
            // The commit failed: nothing of the batch holds, and everyone in it is told.
            for (const auto& item : batch) item->failure = std::current_exception();
        }
        {
            std::lock_guard lock(mutex_);
            for (const auto& item : batch) item->done = true;
        }
        finished_.notify_all();
    }
}

} // namespace anchang::selection
