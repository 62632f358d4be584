#pragma once
/// Pacing — when each buyer of a drawn round may choose. All at once (batch size 0): everyone at
/// the start. In batches: buyers in lottery order, batch_size at a time, each batch opening
/// batch_gap after the one before (its head start); an earlier batch stays open after later ones
/// join, so a head start is never taken back. Nobody chooses before the start or from the end on.

#include <cstdint>

namespace anchang::selection {

class Pacing {
public:
    struct Settings {
        std::int64_t startsAt = 0;
        std::int64_t endsAt = 0;
        int batchSize = 0;
        std::int64_t batchGapMs = 0;
    };
    enum class Gate {
        NotYet, ///< the round or the buyer's batch has not opened
        Open,
        Closed  ///< the round has ended
    };

    explicit Pacing(Settings settings) : s_(settings) {}

    /// The 0-based batch of the buyer drawn at `seq` (1-based); 0 for everyone at once.
    int batchOf(int seq) const { return s_.batchSize > 0 && seq > 0 ? (seq - 1) / s_.batchSize : 0; }
    /// When the buyer drawn at `seq` may start choosing.
    std::int64_t opensAt(int seq) const { return s_.startsAt + static_cast<std::int64_t>(batchOf(seq)) * s_.batchGapMs; }
    Gate gate(int seq, std::int64_t now) const;
    /// How many batches have opened at `now` (0 before the start), of `buyers` drawn.
    int batchesOpen(int buyers, std::int64_t now) const;

private:
    Settings s_;
};

} // namespace anchang::selection
