#include "plugin/EventFailure.h"

namespace anchang {

namespace {
thread_local bool failed = false;
}

void EventFailure::clear() { failed = false; }
void EventFailure::raise() { failed = true; }
bool EventFailure::raised() { return failed; }

} // namespace anchang
