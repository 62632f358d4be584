#pragma once
/// anchang::EventFailure — an event handler's "I failed", raised through anchang_host's
/// event_failed (exceptions never cross the C boundary) and read by whoever delivered the event
/// on this thread: DurableDelivery then rolls back what the handler wrote.

namespace anchang {

class EventFailure {
public:
    static void clear();
    static void raise();
    static bool raised();
};

} // namespace anchang
