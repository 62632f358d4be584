// Durable transactions per second at 1, 8, 64 and 256 concurrent writers, with group commit
// (the default, store.batchAgeMs=10) and with every transaction committing alone
// (store.batchAgeMs=0, the store before group commit), beside the disk's raw fdatasync rate
// measured in the same run on the same file system. Each transaction inserts one small row,
// synchronous=FULL; medians of three rounds.
// Run: build/bin/anchang_commit_bench [--transactions N]

#include "store/SqliteStore.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

namespace {

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

/// What the disk does alone: a 4 KiB write and fdatasync, `count` times.
double fdatasyncPerSecond(const std::filesystem::path& file, int count) {
    const int fd = ::open(file.c_str(), O_CREAT | O_WRONLY, 0600);
    if (fd < 0) return 0;
    std::string block(4096, 'x');
    const auto started = Clock::now();
    for (int i = 0; i < count; ++i) {
        if (::pwrite(fd, block.data(), block.size(), 0) != static_cast<ssize_t>(block.size()) || ::fdatasync(fd) != 0) break;
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    ::close(fd);
    return count / seconds;
}

struct Round {
    double perSecond;
    double perCommit; ///< transactions per commit (fsync)
};

Round writers(const std::filesystem::path& dir, int threads, int total, std::chrono::milliseconds batchAge) {
    const auto file = dir / ("bench-" + std::to_string(threads) + "-" + std::to_string(batchAge.count()) + ".db");
    std::filesystem::remove(file);
    anchang::SqliteStore::Options options{file.string(), "FULL"};
    options.batchAge = batchAge;
    anchang::SqliteStore store(options);
    store.transaction([&] { store.executeScript("CREATE TABLE rows (id INTEGER PRIMARY KEY, writer BIGINT, body TEXT)"); });
    const auto before = store.stats();
    const int each = std::max(1, total / threads);
    const auto started = Clock::now();
    std::vector<std::thread> pool;
    for (int w = 0; w < threads; ++w)
        pool.emplace_back([&, w] {
            for (int i = 0; i < each; ++i)
                store.transaction([&] { store.query("INSERT INTO rows (writer, body) VALUES (?, ?)", {w, "a visitor registered"}); });
        });
    for (auto& t : pool) t.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    const auto after = store.stats();
    const double transactions = static_cast<double>(after["transactions"].get<std::uint64_t>() - before["transactions"].get<std::uint64_t>());
    const double commits = static_cast<double>(after["commits"].get<std::uint64_t>() - before["commits"].get<std::uint64_t>());
    return {transactions / seconds, transactions / std::max(1.0, commits)};
}

} // namespace

int main(int argc, char** argv) {
    int total = 4000;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--transactions") total = std::stoi(argv[i + 1]);
    const auto dir = std::filesystem::temp_directory_path() / ("anchang-commit-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);

    std::vector<double> floors;
    for (int r = 0; r < 3; ++r) floors.push_back(fdatasyncPerSecond(dir / "raw.bin", 2000));
    const double floor = median(floors);
    std::printf("raw fdatasync (4 KiB)    %9.0f /s\n", floor);
    std::printf("%-8s %22s %22s %12s\n", "writers", "alone: tx/s (x raw)", "grouped: tx/s (x raw)", "tx/commit");
    for (const int threads : {1, 8, 64, 256}) {
        std::vector<double> alone, grouped, perCommit;
        for (int r = 0; r < 3; ++r) {
            alone.push_back(writers(dir, threads, total, std::chrono::milliseconds(0)).perSecond);
            const auto g = writers(dir, threads, total, std::chrono::milliseconds(10));
            grouped.push_back(g.perSecond);
            perCommit.push_back(g.perCommit);
        }
        std::printf("%-8d %12.0f (%5.2fx) %12.0f (%5.2fx) %12.1f\n", threads, median(alone), median(alone) / floor, median(grouped),
                    median(grouped) / floor, median(perCommit));
    }
    std::filesystem::remove_all(dir);
    return 0;
}
