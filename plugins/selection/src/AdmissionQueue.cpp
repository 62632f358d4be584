#include "AdmissionQueue.h"

#include <iterator>

namespace anchang::selection {

void AdmissionQueue::admit(std::int64_t now) {
    for (auto it = hall_.begin(); it != hall_.end();)
        it = now - it->second >= idleMs_ ? hall_.erase(it) : std::next(it);
    while (!line_.empty() && static_cast<std::int64_t>(hall_.size()) < capacity_) {
        const auto head = line_.begin();
        hall_[head->second] = now;
        ticketOf_.erase(head->second);
        line_.erase(head);
    }
}

AdmissionQueue::Place AdmissionQueue::enter(std::int64_t buyer, std::int64_t now) {
    if (capacity_ <= 0) return {true, 0, 0};
    std::lock_guard lock(mutex_);
    if (const auto in = hall_.find(buyer); in != hall_.end() && now - in->second < idleMs_) {
        in->second = now;
        return {true, 0, static_cast<std::int64_t>(line_.size())};
    }
    hall_.erase(buyer); // idle too long: back to the line like anyone else
    if (!ticketOf_.count(buyer)) {
        ticketOf_[buyer] = nextTicket_;
        line_[nextTicket_++] = buyer;
    }
    admit(now);
    if (hall_.count(buyer)) return {true, 0, static_cast<std::int64_t>(line_.size())};
    // Tickets are handed out in order and leave the line from its head, so the buyers ahead are
    // the difference of tickets: O(1) for ten thousand buyers asking every few seconds. Only a
    // buyer who leaves from the middle (leave() while waiting) makes it an overestimate by one.
    return {false, ticketOf_[buyer] - line_.begin()->first, static_cast<std::int64_t>(line_.size())};
}

void AdmissionQueue::leave(std::int64_t buyer, std::int64_t now) {
    if (capacity_ <= 0) return;
    std::lock_guard lock(mutex_);
    hall_.erase(buyer);
    if (const auto t = ticketOf_.find(buyer); t != ticketOf_.end()) {
        line_.erase(t->second);
        ticketOf_.erase(t);
    }
    admit(now);
}

std::int64_t AdmissionQueue::inHall() const {
    std::lock_guard lock(mutex_);
    return static_cast<std::int64_t>(hall_.size());
}

std::int64_t AdmissionQueue::waiting() const {
    std::lock_guard lock(mutex_);
    return static_cast<std::int64_t>(line_.size());
}

} // namespace anchang::selection
