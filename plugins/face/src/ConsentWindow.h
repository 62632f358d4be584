#pragma once
/// ConsentWindow — which photos a consent covers. A consent given at the PAD covers the photos
/// taken for that visitor in the next ten minutes (a retake replaces the earlier one); an entrance
/// camera's frame is someone's only when a consent named that camera in the last two minutes and
/// has no photo yet. Any other frame is nobody's and is dropped unread: no consent, no capture.
/// (While two visitors' consents wait on one camera, CaptureDesk drops its frames too: whose face
/// it sees would be a guess.)

#include <cstdint>

namespace anchang::face {

class ConsentWindow {
public:
    static constexpr std::int64_t kCaptureMs = 10 * 60 * 1000;
    static constexpr std::int64_t kCameraMs = 2 * 60 * 1000;

    /// Whether a photo taken at `now` is covered by a consent given at `consentAt`.
    static bool covers(std::int64_t consentAt, std::int64_t now) { return now >= consentAt && now - consentAt <= kCaptureMs; }
    /// Whether the named camera's frame at `now` is this consent's.
    static bool cameraMayUse(std::int64_t consentAt, bool alreadyCaptured, std::int64_t now) {
        return !alreadyCaptured && now >= consentAt && now - consentAt <= kCameraMs;
    }
};

}  // namespace anchang::face
