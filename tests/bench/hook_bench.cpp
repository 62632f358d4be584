// Hook call overhead beside a bare C++ function call doing the same work, and the time to make
// a project heap. Prints medians (and p99) in microseconds.
//
//   bare C++        the rotation rule "skip consultants with more than 5 open tasks" in C++,
//                   called through std::function on a parsed input (the floor)
//   empty hook      `function () {}`: JSON in, call, JSON out, in the project's heap
//   rotation hook   config/hooks/registration.assign.skip-busy-consultants.js on 12 candidates
//   heap creation   a new project heap with its globals (frozen built-ins), then destroyed
//   overshoot       hostile scripts against a 50 ms budget: how long past it each call ran
//                   before the engine stopped it (median and worst of 9 runs, ms)
//
// Run: build/bin/anchang_hook_bench [--iterations N]

#include "script/DuktapeHeap.h"
#include "script/ScriptEngine.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

using Clock = std::chrono::steady_clock;

namespace {

struct Stats {
    double p50, p99;
};

Stats measure(int iterations, const std::function<void()>& body) {
    for (int i = 0; i < iterations / 10; ++i) body();
    std::vector<double> micros;
    micros.reserve(static_cast<std::size_t>(iterations));
    for (int i = 0; i < iterations; ++i) {
        auto start = Clock::now();
        body();
        micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    }
    std::sort(micros.begin(), micros.end());
    return {micros[micros.size() / 2], micros[static_cast<std::size_t>(0.99 * (micros.size() - 1))]};
}

void print(const char* name, Stats s, double reference) {
    std::printf("%-16s p50 %8.2f us   p99 %8.2f us   %6.1fx bare C++\n", name, s.p50, s.p99, s.p50 / reference);
}

} // namespace

int main(int argc, char** argv) {
    int iterations = 20000;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string(argv[i]) == "--iterations") iterations = std::stoi(argv[i + 1]);

    nlohmann::json input = {{"customer", {{"phone", "13800000000"}, {"name", "王先生"}}}, {"candidates", nlohmann::json::array()}};
    for (int i = 0; i < 12; ++i)
        input["candidates"].push_back({{"id", 100 + i}, {"name", "顾问" + std::to_string(i)}, {"open_tasks", (i * 7) % 11},
                                       {"on_duty", i % 5 != 0}});

    // The same rule in C++, as a plugin's built-in rule would be.
    std::function<nlohmann::json(const nlohmann::json&)> bare = [](const nlohmann::json& in) -> nlohmann::json {
        for (const auto& c : in["candidates"])
            if (c["on_duty"].get<bool>() && c["open_tasks"].get<int>() <= 5) return {{"consultant_id", c["id"]}, {"reason", "rotation"}};
        return nullptr;
    };
    volatile std::int64_t sink = 0;
    const Stats reference = measure(iterations, [&] { sink = sink + bare(input)["consultant_id"].get<std::int64_t>(); });
    std::printf("%-16s p50 %8.2f us   p99 %8.2f us\n", "bare C++", reference.p50, reference.p99);

    std::ifstream file(std::string(ANCHANG_SOURCE_DIR) + "/config/hooks/registration.assign.skip-busy-consultants.js");
    std::ostringstream rotation;
    rotation << file.rdbuf();

    anchang::ScriptEngine engine({std::chrono::milliseconds(50), 16u << 20}, [] { return std::vector<std::string>{}; });
    const anchang::DuktapeHeap::Helper noHelpers;
    const nlohmann::json context = {{"project_id", 1}, {"hook", "registration.assign"}, {"previous", nullptr}};
    const std::string empty = "function () {}";
    const std::string rotationScript = rotation.str();
    print("empty hook", measure(iterations, [&] { engine.run(1, 1, 1, empty, {{"n", 1}}, context, noHelpers, std::chrono::milliseconds(50)); }),
          reference.p50);
    print("rotation hook", measure(iterations, [&] {
              auto outcome = engine.run(1, 2, 1, rotationScript, input, context, noHelpers, std::chrono::milliseconds(50));
              if (outcome.output.is_null()) std::abort();
          }),
          reference.p50);
    const Stats heap = measure(std::max(100, iterations / 20), [] { anchang::DuktapeHeap h({}, {"customerVisitCount"}); });
    std::printf("%-16s p50 %8.2f us   p99 %8.2f us\n", "heap creation", heap.p50, heap.p99);

    // The hostile scripts: each ran 15 s or forever before the deadline reached these places.
    const std::vector<std::pair<const char*, const char*>> hostile = {
        {"for(;;){}", "function () { for (;;) {} }"},
        {"catching loop", "function () { for (;;) { try { for (;;) {} } catch (e) {} } }"},
        {"toString loop", "function () { throw {toString: function () { for (;;) {} }}; }"},
        {"regex step limit", "function () { var s = 'a'.repeat(30) + '!'; for (;;) { try { /^(a+)+$/.test(s); } catch (e) {} } }"},
        {"global replace", "function () { return 'a'.repeat(2e5).replace(/(?=a*c)|a/g, ''); }"},
        {"long indexOf", "function () { var s = 'a'.repeat(4e6); return s.indexOf('a'.repeat(2e6) + 'b'); }"},
        {"sort 300k", "function () { var a = []; for (var i = 0; i < 3e5; i++) a.push((i * 7919) % 1000003); a.sort(); a.sort(); return 1; }"},
    };
    std::printf("overshoot past a 50 ms budget (9 runs):\n");
    for (const auto& [name, source] : hostile) {
        std::vector<double> over;
        for (int run = 0; run < 9; ++run) {
            anchang::DuktapeHeap h({std::chrono::milliseconds(50), 16u << 20}, {});
            h.compile("s", source);
            const auto start = Clock::now();
            const auto outcome = h.call("s", nlohmann::json::object(), nlohmann::json::object(), noHelpers, std::nullopt,
                                        std::chrono::milliseconds(50));
            if (outcome.code != "script.timeout") std::abort();
            over.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count() - 50.0);
        }
        std::sort(over.begin(), over.end());
        std::printf("  %-18s median %6.2f ms   worst %6.2f ms\n", name, over[over.size() / 2], over.back());
    }
    return 0;
}
