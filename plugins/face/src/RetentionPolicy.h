#pragma once
/// RetentionPolicy — how long face data lives: photos for `photo_retention_days` (default 0: a
/// photo is analysed and dropped, never written), embeddings for `embedding_retention_days`.
/// The job retention_purge deletes what passed its date; deletion on request is FaceData's.

#include <cstdint>
#include <optional>

namespace anchang::face {

class RetentionPolicy {
public:
    static constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

    RetentionPolicy(std::int64_t photoDays, std::int64_t embeddingDays) : photoDays_(photoDays), embeddingDays_(embeddingDays) {}

    bool keepsPhotos() const { return photoDays_ > 0; }
    /// Until when a photo taken at `at` is kept; nothing when photos are not kept at all.
    std::optional<std::int64_t> photoUntil(std::int64_t at) const {
        if (!keepsPhotos()) return std::nullopt;
        return at + photoDays_ * kDayMs;
    }
    std::int64_t embeddingUntil(std::int64_t at) const { return at + embeddingDays_ * kDayMs; }
    /// How long a photo whose visit was never registered is kept (the visitor left before the
    /// desk finished, a mistyped phone, a co-buyer photographed for a subscription's check): a
    /// day, then it goes with its embeddings. It is nobody's earlier visit meanwhile.
    static constexpr std::int64_t kUnregisteredMs = kDayMs;
    /// Whether something kept until `until` must go at `now` (the day it ends, not a day later).
    static bool expired(std::int64_t until, std::int64_t now) { return until <= now; }

    std::int64_t photoDays() const { return photoDays_; }
    std::int64_t embeddingDays() const { return embeddingDays_; }

private:
    std::int64_t photoDays_;
    std::int64_t embeddingDays_;
};

}  // namespace anchang::face
