#pragma once
/// anchang::test::eventually — waits for something another thread or process does (a bus event
/// handled, an alert raised), checking every 50 ms, instead of a fixed sleep.

#include <chrono>
#include <thread>

namespace anchang::test {

/// True as soon as `done()` is; false when `timeout` passed first.
template <class Done>
bool eventually(Done done, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
}

} // namespace anchang::test
