// Durable events through the outbox beside today's fire-and-forget events, on the same machine
// in the same run, with the disk's own commit rate as the reference.
//
//   fdatasync              the floor: SQLite commits of one small row each, synchronous=FULL
//   fire-and-forget        BusClient::publish -> EventProxy -> a PluginBusAgent subscriber;
//                          what arrives, and what ZeroMQ dropped on the way
//   outbox, 1 per commit   each event stored in a transaction of its own (as one registration
//                          stores its visit.registered) -> DurableDelivery -> the subscriber
//   outbox, 100 per commit the same with a hundred events per transaction
//
// Each outbox case counts from the first append to the last event handled by the subscriber,
// so it includes the delivery thread's own commits (one per batch). Prints events/s and the
// ratio to the fdatasync floor. Run: build/bin/anchang_outbox_bench [--events N]

#include "bus/Bus.h"
#include "plugin/DurableDelivery.h"
#include "plugin/Outbox.h"
#include "store/KernelMigrations.h"
#include "store/Migrator.h"
#include "store/SqliteStore.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

using Clock = std::chrono::steady_clock;

namespace {

const std::string kBody = R"({"visit_id":1,"number":1,"customer_id":1,"returning":false,"source":"natural"})";

double seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

void countEvent(void* user, const anchang_bus_message*) { ++*static_cast<std::atomic<long>*>(user); }

/// Waits until `count` reaches `want` or stops moving for a second; returns when it last moved.
Clock::time_point settle(const std::atomic<long>& count, long want) {
    long last = -1;
    auto moved = Clock::now();
    while (count.load() < want) {
        const long now = count.load();
        if (now != last) {
            last = now;
            moved = Clock::now();
        } else if (seconds(moved) > 1.0) {
            return moved;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return Clock::now();
}

void line(const char* name, long events, double elapsed, double floor) {
    const double rate = events / elapsed;
    std::printf("%-24s %8ld events  %9.0f events/s", name, events, rate);
    if (floor > 0) std::printf("  (%.2fx the fdatasync floor)", rate / floor);
    std::printf("\n");
}

} // namespace

int main(int argc, char** argv) {
    long events = 2000;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--events") events = std::stol(argv[i + 1]);

    const auto dir = std::filesystem::temp_directory_path() / ("anchang-outbox-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    anchang::SqliteStore store({(dir / "bench.db").string(), "FULL"});
    anchang::Migrator(store).apply("kernel", anchang::kernelMigrations());
    store.query("CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");

    // The floor: one small row per commit, each waiting for the disk.
    auto started = Clock::now();
    for (long i = 0; i < events; ++i) store.transaction([&] { store.query("INSERT INTO bench_rows (body) VALUES (?)", {kBody}); });
    const double floor = events / seconds(started);
    line("fdatasync", events, seconds(started), 0);

    anchang::Bus::Options options;
    options.requestPort = options.subscribePort = options.publishPort = 0;
    anchang::Bus bus(options);
    bus.start();

    // Fire-and-forget: as fast as the publisher can send; the subscriber's queue holds 1,000.
    {
        std::atomic<long> received{0};
        auto agent = bus.agent("bench", 1);
        agent->subscribe("bench.", &countEvent, &received);
        agent->start();
        const long sent = events * 50;
        started = Clock::now();
        for (long i = 0; i < sent; ++i) bus.client().publish("bench.event", "bench", 1, kBody);
        const auto last = settle(received, sent);
        const double elapsed = std::chrono::duration<double>(last - started).count();
        line("fire-and-forget", received.load(), elapsed, floor);
        std::printf("%-24s %8ld of %ld sent were dropped\n", "", sent - received.load(), sent);
        agent->stop();
    }

    anchang::Outbox outbox(store, bus.client());
    for (const long perCommit : {1L, 100L}) {
        std::atomic<long> handled{0};
        anchang::DurableDelivery delivery(outbox, store, "bench" + std::to_string(perCommit));
        delivery.subscribe({"bench.", &countEvent, &handled});
        delivery.start();
        std::this_thread::sleep_for(std::chrono::milliseconds(100)); // its position is stored
        const long total = perCommit == 1 ? events : events * 10;
        started = Clock::now();
        for (long i = 0; i < total; i += perCommit)
            store.transaction([&] {
                for (long k = 0; k < perCommit; ++k) outbox.append("bench.event", 1, {{"id", "e"}, {"type", "event"}, {"source", "bench"}}, kBody);
            });
        const auto last = settle(handled, total);
        line(perCommit == 1 ? "outbox, 1 per commit" : "outbox, 100 per commit", handled.load(),
             std::chrono::duration<double>(last - started).count(), floor);
        if (handled.load() != total) std::printf("%-24s LOST %ld events\n", "", total - handled.load());
        delivery.stop();
    }
    outbox.stop();
    bus.stop();
    std::filesystem::remove_all(dir);
    return 0;
}
