#include "bus/Bus.h"
#include "plugin/DurableDelivery.h"
#include "plugin/Outbox.h"
#include "store/KernelMigrations.h"
#include "store/Migrator.h"
#include "store/SqliteStore.h"
#include "support/Eventually.h"
#include "support/TempDir.h"

#include <gtest/gtest.h>

#include <atomic>

using anchang::test::eventually;

namespace {

struct DurableDeliveryTest : ::testing::Test {
    anchang::test::TempDir dir;
    anchang::SqliteStore store{{dir.file("outbox.db"), "OFF"}};
    anchang::Bus bus{[] {
        anchang::Bus::Options options;
        options.requestPort = options.subscribePort = options.publishPort = 0;
        return options;
    }()};
    std::unique_ptr<anchang::Outbox> outbox;
    std::atomic<int> handled{0};

    void SetUp() override {
        anchang::Migrator(store).apply("kernel", anchang::kernelMigrations());
        bus.start();
        outbox = std::make_unique<anchang::Outbox>(store, bus.client());
    }
    void TearDown() override {
        outbox->stop();
        bus.stop();
    }

    void append(const std::string& topic, int count) {
        for (int i = 0; i < count; ++i)
            store.transaction([&] { outbox->append(topic, 1, {{"id", "e"}, {"type", "event"}, {"source", "test"}}, "{}"); });
    }
    std::int64_t storedPosition(const std::string& subscriber) {
        const auto rows = store.query("SELECT seq FROM bus_positions WHERE subscriber = ?", {subscriber}).rows;
        return rows.empty() ? -1 : rows[0]["seq"].get<std::int64_t>();
    }
    static void count(void* user, const anchang_bus_message*) { ++*static_cast<std::atomic<int>*>(user); }
};

} // namespace

// A plugin that subscribes to a topic others seldom publish must neither re-read every other
// module's events on each wake-up (each registration grew slower as the day went on) nor hold
// back pruning by never storing a position past them.
TEST_F(DurableDeliveryTest, ReadsOnPastOtherModulesEventsAndStoresHowFarItRead) {
    append("other.before", 3); // before the subscriber existed: not handed to it
    anchang::DurableDelivery delivery(*outbox, store, "rare_reader");
    delivery.subscribe({"rare.", &DurableDeliveryTest::count, &handled});
    delivery.start();
    ASSERT_TRUE(eventually([&] { return storedPosition("rare_reader") == 3; }));

    append("other.event", 1500);
    EXPECT_TRUE(eventually([&] { return storedPosition("rare_reader") >= 1003; }))
        << "the position stayed at " << storedPosition("rare_reader") << " while 1,500 events of others went by";
    EXPECT_EQ(handled.load(), 0);

    append("rare.event", 2);
    ASSERT_TRUE(eventually([&] { return handled.load() == 2; }));
    EXPECT_TRUE(eventually([&] { return storedPosition("rare_reader") == 1505; }));
    delivery.stop();
    EXPECT_EQ(handled.load(), 2);
}
