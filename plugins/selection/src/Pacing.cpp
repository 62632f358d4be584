#include "Pacing.h"

#include <algorithm>

namespace anchang::selection {

Pacing::Gate Pacing::gate(int seq, std::int64_t now) const {
    if (now >= s_.endsAt) return Gate::Closed;
    return now >= opensAt(seq) ? Gate::Open : Gate::NotYet;
}

int Pacing::batchesOpen(int buyers, std::int64_t now) const {
    if (now < s_.startsAt || buyers <= 0) return 0;
    const int batches = s_.batchSize > 0 ? (buyers + s_.batchSize - 1) / s_.batchSize : 1;
    if (s_.batchSize <= 0 || s_.batchGapMs <= 0) return batches;
    return static_cast<int>(std::min<std::int64_t>(batches, (now - s_.startsAt) / s_.batchGapMs + 1));
}

} // namespace anchang::selection
