#pragma once
/// AdmissionQueue — the opening's waiting room (排队). When more buyers want to choose than the
/// hall holds (capacity), the others wait in arrival order and see how many are ahead of them,
/// instead of meeting errors. A buyer in the hall holds a place while active; their place frees
/// when they have chosen all they may (leave) or after `idleMs` without a request, and the
/// longest-waiting buyer comes in. Capacity 0: no waiting room, everyone is in.
///
/// In memory, one per round: a restart empties it and buyers queue again in the order they come
/// back, which is what a fair queue can promise after a crash. Thread-safe.

#include <cstdint>
#include <map>
#include <mutex>
#include <unordered_map>

namespace anchang::selection {

class AdmissionQueue {
public:
    struct Place {
        bool admitted = false;
        std::int64_t ahead = 0; ///< buyers waiting before this one (0 when admitted)
        std::int64_t waiting = 0; ///< buyers waiting in all
    };

    AdmissionQueue(int capacity, std::int64_t idleMs) : capacity_(capacity), idleMs_(idleMs) {}

    /// The buyer's place at `now`, queuing them if new; a buyer keeps their place on every call.
    Place enter(std::int64_t buyer, std::int64_t now);
    /// The buyer is done: their place in the hall goes to the next in line.
    void leave(std::int64_t buyer, std::int64_t now);
    std::int64_t inHall() const;
    std::int64_t waiting() const;

private:
    /// Expires idle buyers and admits from the head of the line while there is room.
    void admit(std::int64_t now);

    const int capacity_;
    const std::int64_t idleMs_;
    mutable std::mutex mutex_;
    std::unordered_map<std::int64_t, std::int64_t> hall_; ///< buyer → last seen
    std::map<std::int64_t, std::int64_t> line_;           ///< ticket → buyer, arrival order
    std::unordered_map<std::int64_t, std::int64_t> ticketOf_;
    std::int64_t nextTicket_ = 0;
};

} // namespace anchang::selection
