#include "plugin/DurableDelivery.h"

#include "bus/ActingUser.h"
#include "bus/BusHeader.h"
#include "plugin/EventFailure.h"
#include "plugin/Outbox.h"
#include "store/Store.h"

#include <Poco/Logger.h>

namespace anchang {

namespace {
constexpr std::size_t kBatch = 100;
constexpr std::chrono::milliseconds kBatchTime{50};
constexpr std::int64_t kStoreEvery = 1000;
}

DurableDelivery::DurableDelivery(Outbox& outbox, Store& store, std::string subscriber)
    : outbox_(outbox), store_(store), subscriber_(std::move(subscriber)) {}

DurableDelivery::~DurableDelivery() { stop(); }

void DurableDelivery::start() {
    if (subscriptions_.empty()) return;
    thread_ = std::thread([this] { run(); });
}

void DurableDelivery::stop() {
    stopping_ = true;
    outbox_.wake();
    if (thread_.joinable()) thread_.join();
}

void DurableDelivery::deliver(const Outbox::Event& event, Poco::Logger& log) {
    const anchang_bus_message message{sizeof(anchang_bus_message), event.topic.c_str(), event.header.c_str(), event.body.c_str()};
    const auto header = BusHeader::parse(event.header);
    ActingUser::Scope acting(header ? header->user : std::nullopt);
    try {
        store_.transaction([&] {
            for (const auto& s : subscriptions_) {
                if (!event.topic.starts_with(s.prefix)) continue;
                EventFailure::clear();
                s.fn(s.user, &message);
                // A handler reports its failure through the host (exceptions never cross the C
                // boundary): then what it wrote rolls back.
                if (EventFailure::raised()) throw std::runtime_error("the handler failed");
            }
        });
    } catch (const std::exception& e) {
        log.error("durable event %Ld (%s) failed in its handler and was passed over: %s", event.seq, event.topic, std::string(e.what()));
    }
}

void DurableDelivery::run() {
    auto& log = Poco::Logger::get("plugin." + subscriber_);
    std::vector<std::string> prefixes;
    for (const auto& s : subscriptions_) prefixes.push_back(s.prefix);
    std::int64_t position = 0;
    std::int64_t stored = 0; // the position as last committed
    try {
        position = stored = outbox_.position(subscriber_);
    } catch (const std::exception& e) {
        log.error("durable events: cannot read the position: %s", std::string(e.what()));
        return;
    }
    while (!stopping_) {
        std::vector<Outbox::Event> events;
        std::int64_t upTo = position; // every event up to here was looked at (for the monitor's lag)
        try {
            upTo = std::max(position, outbox_.announced());
            events = outbox_.after(position, prefixes, kBatch);
        } catch (const std::exception& e) {
            log.error("durable events: cannot read the outbox: %s", std::string(e.what()));
        }
        if (events.empty()) {
            // Nothing of ours up to upTo: read on from there, or every other module's event would
            // make the next read scan the whole stretch again (a registration took 20% longer
            // with one rarely-published subscription). Commits are serial, so no event at or
            // below upTo can still appear. Stored now and then, so pruning is not held back.
            position = upTo;
            if (position - stored >= kStoreEvery) {
                try {
                    outbox_.advance(subscriber_, position);
                    stored = position;
                } catch (const std::exception& e) {
                    log.warning("durable events: cannot store the position: %s", std::string(e.what()));
                }
            }
            outbox_.scanned(subscriber_, upTo);
            outbox_.waitBeyond(position, std::chrono::seconds(1), stopping_);
            continue;
        }
        // One commit for a batch: each event's handler runs in a savepoint of its own (a failing
        // one rolls back alone and is passed over), and the position moves once, at the end. A
        // batch stops growing after kBatchTime so other writers are not held up behind it.
        bool whole = events.size() < kBatch; // this batch reaches upTo
        std::int64_t done = position;
        try {
            store_.transaction([&] {
                const auto started = std::chrono::steady_clock::now();
                for (const auto& event : events) {
                    if (stopping_ || std::chrono::steady_clock::now() - started > kBatchTime) {
                        whole = false;
                        break;
                    }
                    deliver(event, log);
                    done = event.seq;
                }
                if (done != position) outbox_.advance(subscriber_, done);
            });
            position = done;
            stored = done;
        } catch (const std::exception& e) {
            // The store refused the commit: nothing of the batch happened; try again shortly.
            log.error("durable events: a batch did not commit: %s", std::string(e.what()));
            outbox_.waitBeyond(upTo, std::chrono::seconds(1), stopping_);
            continue;
        }
        if (whole) {
            position = std::max(position, upTo);
            outbox_.scanned(subscriber_, upTo);
        }
    }
}

} // namespace anchang
