#include "app/FaultPoints.h"

#include <csignal>
#include <cstdlib>

namespace anchang {

namespace {
std::string armed;
}

void FaultPoints::arm(const std::string& point) { armed = point; }

void FaultPoints::hit(const std::string& point) {
    if (armed.empty() || point != armed) return;
    std::raise(SIGKILL);
    std::_Exit(137);
}

} // namespace anchang
