#pragma once
/// anchang::TestClockApi — /api/v1/test/clock, installed only in a kernel started with the
/// test-only setting test.clock: read, set (optionally frozen) and advance the kernel's clock,
/// so protection periods and nightly jobs are tested by moving time instead of waiting.

namespace anchang {

class KernelClock;
class Router;

class TestClockApi {
public:
    explicit TestClockApi(KernelClock& clock) : clock_(clock) {}

    void install(Router& router);

private:
    KernelClock& clock_;
};

} // namespace anchang
