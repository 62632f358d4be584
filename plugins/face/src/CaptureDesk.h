#pragma once
/// CaptureDesk — consent, then the photo: the PAD's and the entrance camera's side of face risk
/// control, the desk's check at registration, and tying a capture to the visit registration
/// commits. A capture is always under an accepted consent (ConsentWindow); its faces are
/// analysed (EngineRoom), refused with a reason when poor, embedded, stored and added to the
/// project's gallery; the photo itself only while RetentionPolicy keeps photos.

#include "Actor.h"
#include "AlertBook.h"
#include "BypassRule.h"
#include "EngineRoom.h"
#include "Galleries.h"
#include "Notice.h"
#include "RetentionPolicy.h"

#include <anchang/sdk/Host.hpp>

#include <string_view>

namespace anchang::face {

class CaptureDesk {
public:
    CaptureDesk(const sdk::Host& host, EngineRoom& engines, Galleries& galleries, const BypassRule& rule, const RetentionPolicy& retention,
                const Notice& notice, AlertBook& alerts, std::string model);

    /// Reads every live embedding of the configured model into the galleries (at start).
    std::size_t load();

    nlohmann::json notice();
    nlohmann::json consent(std::int64_t project, const nlohmann::json& body, const Actor& actor);
    nlohmann::json capture(std::int64_t project, std::int64_t consentId, std::string_view photo, const std::string& contentType, const Actor& actor);
    /// An entrance camera's frame: kept only for a consent that named the camera moments ago.
    nlohmann::json cameraCapture(std::int64_t project, const std::string& camera, std::string_view photo, const std::string& contentType,
                                 const Actor& actor);
    /// The photo, when kept (audited by the caller's route).
    std::string photo(std::int64_t project, std::int64_t captureId, const Actor& actor);

    /// registration.visit.check: what the desk sent as face's extension, checked.
    nlohmann::json check(std::int64_t project, const nlohmann::json& body);
    /// visit.registered: the capture learns its visit, and the rule looks at it.
    void visitRegistered(std::int64_t project, const nlohmann::json& event);
    /// deal.subscribed: the co-buyers' faces against the visits before the channel's.
    void subscribed(std::int64_t project, const nlohmann::json& event);

    /// The nearest registered visits' captures to an embedding (a photo never registered is
    /// nobody's earlier visit), as the rule reads them.
    std::vector<Sighting> nearest(std::int64_t project, const Embedding& embedding, std::size_t k) const;

private:
    nlohmann::json consentRow(std::int64_t project, std::int64_t id) const;
    nlohmann::json store(std::int64_t project, const nlohmann::json& consent, std::string_view photo, const std::string& contentType, const Actor& actor);
    std::vector<Embedding> embeddingsOf(std::int64_t captureId) const;

    const sdk::Host& host_;
    EngineRoom& engines_;
    Galleries& galleries_;
    const BypassRule& rule_;
    const RetentionPolicy& retention_;
    const Notice& notice_;
    AlertBook& alerts_;
    /// Whose embeddings these are (dlib, sface): another model's are never compared with them.
    std::string model_;
};

}  // namespace anchang::face
