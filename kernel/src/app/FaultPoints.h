#pragma once
/// anchang::FaultPoints — named points where a fault-injection test ends the process, as kill -9
/// would: after a commit and before the event it stored is delivered, between the steps of a
/// registration. Armed only by the test-only setting `test.crashAt` (one point name); in every
/// other run a point costs a string comparison with nothing.

#include <string>

namespace anchang {

class FaultPoints {
public:
    static void arm(const std::string& point);
    /// Ends the process at once (no clean-up, no flush) when `point` is the armed one.
    static void hit(const std::string& point);
};

} // namespace anchang
