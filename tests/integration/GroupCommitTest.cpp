// Group commit under kill -9: eight desks register visitors at once through a real anchangd, so
// their transactions share commits; the kernel is killed mid-stream, and every registration it
// acknowledged is there after the restart, numbered without gaps.
#include "support/DemoProject.h"
#include "support/Eventually.h"

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace anchang::test;

namespace {
class GroupCommit : public DemoProject {};
} // namespace

TEST_F(GroupCommit, KillNineLosesNoAcknowledgedRegistration) {
    std::mutex mutex;
    std::map<std::int64_t, std::string> acknowledged; // visit id -> phone
    std::atomic<bool> stop{false};
    std::vector<std::thread> desks;
    const int port = kernel->port();
    for (int d = 0; d < 8; ++d)
        desks.emplace_back([&, d] {
            for (int i = 0; !stop && i < 10000; ++i) {
                const std::string phone = "139" + std::to_string(10000000 + d * 100000 + i);
                const nlohmann::json body = {{"phone", phone}, {"name", "来访" + std::to_string(i)}, {"questionnaire", {{"layout", "三室"}}}};
                HttpResult answer;
                try {
                    answer = http(port, "POST", "/api/v1/projects/1/visits", body.dump(), desk);
                } catch (const std::exception&) {
                    return; // the kernel is gone: whatever it did not answer was not acknowledged
                }
                if (answer.status == 201) {
                    std::lock_guard lock(mutex);
                    acknowledged[answer.json()["visit"]["id"]] = phone;
                }
            }
        });
    ASSERT_TRUE(eventually([&] {
        std::lock_guard lock(mutex);
        return acknowledged.size() >= 150;
    }, std::chrono::seconds(30)));
    // The desks' transactions shared commits while they ran.
    const auto store = http(port, "GET", "/api/v1/system", "", login(port, "admin")).json()["store"];
    EXPECT_LT(store["commits"].get<double>(), store["transactions"].get<double>()) << store.dump();
    std::ifstream runtime(kernel->dataDir() / "run" / "anchangd.json");
    ::kill(nlohmann::json::parse(runtime)["pid"].get<int>(), SIGKILL);
    stop = true;
    for (auto& t : desks) t.join();

    restart();
    const auto visits = api("GET", "/visits?limit=5000", nullptr, manager).json()["visits"];
    std::map<std::int64_t, std::string> stored;
    std::set<std::int64_t> numbers;
    for (const auto& v : visits) {
        stored[v["id"]] = v["phone"];
        numbers.insert(v["number"].get<std::int64_t>());
    }
    for (const auto& [id, phone] : acknowledged) {
        ASSERT_TRUE(stored.count(id)) << "registration " << id << " (" << phone << ") was acknowledged and is gone";
        EXPECT_EQ(stored[id].substr(stored[id].size() - 4), phone.substr(phone.size() - 4)); // the register may mask the middle
    }
    // Stored, acknowledged or not, the register has no gaps.
    ASSERT_FALSE(numbers.empty());
    EXPECT_EQ(*numbers.begin(), 1);
    EXPECT_EQ(*numbers.rbegin(), static_cast<std::int64_t>(numbers.size()));
}
