#include "CaptureDesk.h"

#include "ConsentWindow.h"
#include "EmbeddingText.h"
#include "IdList.h"

#include <anchang/sdk/Error.hpp>
#include <anchang/sdk/Fields.hpp>
#include <anchang/sdk/Phone.hpp>

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

namespace anchang::face {

namespace {

constexpr const char* kInvalid = "face.invalid";
constexpr std::size_t kNearest = 16;
/// A second face with at least this share of the largest face's area makes the visitor ambiguous
/// (a side about 92 % as long). HOG's boxes come in steps of its image pyramid (a side 5/6 of
/// the next), so a face one step smaller than the visitor's (area 0.69) is a companion, and only
/// faces found at the same step are a tie. Measured: the same made-up photo, a visitor near and
/// someone 40 % smaller behind, boxed at 0.48 or 0.69 of the visitor's area depending only on
/// the JPEG re-encoding the desk's tablet does; the group photo's two adults at 1.0.
constexpr double kSameSize = 0.85;

nlohmann::json text(const std::string& zh, const std::string& en) { return {{"zh-CN", zh}, {"en", en}}; }

std::string base64(const std::vector<unsigned char>& bytes) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);
    encoder.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    encoder.close();
    return out.str();
}

/// The photo as it is kept: decoded and encoded again (no EXIF: no camera, place or time
/// travels with it), at most 1280 px on its long side, the companions' faces blurred past
/// recognising (they did not agree).
std::string keptPhoto(std::string_view encoded, const std::vector<cv::Rect>& others) {
    const cv::Mat raw(1, static_cast<int>(encoded.size()), CV_8UC1, const_cast<char*>(encoded.data()));
    cv::Mat image = cv::imdecode(raw, cv::IMREAD_COLOR);
    if (image.empty()) return {};
    for (const cv::Rect& other : others) {
        const cv::Rect area = other & cv::Rect(0, 0, image.cols, image.rows);
        if (area.empty()) continue;
        cv::Mat face = image(area);
        // Down to 6 px across and back: nothing of the face survives, its place stays visible.
        cv::Mat tiny;
        cv::resize(face, tiny, cv::Size(6, std::max(1, 6 * area.height / std::max(1, area.width))), 0, 0, cv::INTER_AREA);
        cv::resize(tiny, face, area.size(), 0, 0, cv::INTER_NEAREST);
    }
    if (const int longSide = std::max(image.cols, image.rows); longSide > 1280) {
        const double scale = 1280.0 / longSide;
        cv::resize(image, image, cv::Size(), scale, scale, cv::INTER_AREA);
    }
    std::vector<unsigned char> jpeg;
    cv::imencode(".jpg", image, jpeg, {cv::IMWRITE_JPEG_QUALITY, 85});
    return base64(jpeg);
}

/// Whether `text` is a data URL whose base64 decodes to a PNG: a signature is kept as the proof
/// that the visitor signed, so it must be one.
bool isPngDataUrl(const std::string& text) {
    static constexpr std::string_view prefix = "data:image/png;base64,";
    if (!text.starts_with(prefix)) return false;
    const std::string_view data = std::string_view(text).substr(prefix.size());
    if (data.empty() || data.size() % 4 != 0) return false;
    const auto base64Char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/'; };
    const std::size_t padding = data.ends_with("==") ? 2 : data.ends_with('=') ? 1 : 0;
    if (!std::all_of(data.begin(), data.end() - static_cast<std::ptrdiff_t>(padding), base64Char)) return false;
    std::istringstream in(std::string(data.substr(0, 12)));
    Poco::Base64Decoder decoder(in);
    char head[8] = {};
    decoder.read(head, sizeof head);
    return decoder.gcount() == sizeof head && std::memcmp(head, "\x89PNG\r\n\x1a\n", sizeof head) == 0;
}

nlohmann::json boxJson(const cv::Rect& box) { return {{"x", box.x}, {"y", box.y}, {"w", box.width}, {"h", box.height}}; }

std::string orEmpty(const nlohmann::json& row, const char* key) { return row.contains(key) && row[key].is_string() ? row[key].get<std::string>() : std::string{}; }
std::int64_t orZero(const nlohmann::json& row, const char* key) { return row.contains(key) && row[key].is_number_integer() ? row[key].get<std::int64_t>() : 0; }

} // namespace

CaptureDesk::CaptureDesk(const sdk::Host& host, EngineRoom& engines, Galleries& galleries, const BypassRule& rule, const RetentionPolicy& retention,
                         const Notice& notice, AlertBook& alerts, std::string model)
    : host_(host), engines_(engines), galleries_(galleries), rule_(rule), retention_(retention), notice_(notice), alerts_(alerts), model_(std::move(model)) {}

std::size_t CaptureDesk::load() {
    std::size_t n = 0;
    for (const auto& row : host_.db().query("SELECT id, project_id, vector FROM face_embeddings WHERE model = ? ORDER BY id", {model_})) {
        if (auto embedding = EmbeddingText::decode(row["vector"])) {
            galleries_.add(row["project_id"], row["id"], *embedding);
            ++n;
        }
    }
    return n;
}

nlohmann::json CaptureDesk::notice() {
    nlohmann::json out = notice_.texts();
    const std::string reason = engines_.unavailable();
    out["photo_retention_days"] = retention_.photoDays();
    out["embedding_retention_days"] = retention_.embeddingDays();
    out["engine"] = {{"ready", reason.empty()}, {"reason", reason}};
    return out;
}

nlohmann::json CaptureDesk::consentRow(std::int64_t project, std::int64_t id) const {
    auto row = host_.db().one("SELECT * FROM face_consents WHERE id = ? AND project_id = ?", {id, project});
    if (!row) throw sdk::Error::notFound("face.consent_not_found", "no such consent in this project: " + std::to_string(id));
    return *row;
}

nlohmann::json CaptureDesk::consent(std::int64_t project, const nlohmann::json& body, const Actor& actor) {
    const std::string phone = sdk::Phone::normalize(sdk::Fields::text(body, "phone", 20, true, kInvalid));
    if (phone.empty()) throw sdk::Error::invalid("face.invalid_phone", "phone must be a mainland mobile number");
    const std::string name = sdk::Fields::text(body, "name", 40, true, kInvalid);
    // The name is printed on receipts and the record: no control characters.
    if (std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
        throw sdk::Error::invalid(kInvalid, "name must not hold control characters");
    const std::string decision = sdk::Fields::text(body, "decision", 10, true, kInvalid);
    if (decision != "accepted" && decision != "refused") throw sdk::Error::invalid(kInvalid, "decision must be accepted or refused");
    const std::string version = sdk::Fields::text(body, "notice_version", 40, true, kInvalid);
    if (version != notice_.version())
        throw sdk::Error::conflict("face.notice_outdated", "the notice shown was " + version + ", the current one is " + notice_.version() + ": show it again");
    const std::string signature = sdk::Fields::text(body, "signature", 200 * 1024, false, kInvalid);
    if (!signature.empty() && !isPngDataUrl(signature)) throw sdk::Error::invalid(kInvalid, "signature must be a PNG data URL");
    const std::string camera = sdk::Fields::text(body, "camera", 40, false, kInvalid);
    if (!std::all_of(camera.begin(), camera.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }))
        throw sdk::Error::invalid(kInvalid, "camera may hold letters, digits, - and _ only");
    if (decision == "refused" && !camera.empty()) throw sdk::Error::invalid(kInvalid, "a refusal names no camera: nothing is captured");
    const std::int64_t now = host_.now();
    std::int64_t id = 0;
    host_.db().transaction([&] {
        id = host_.db().query("INSERT INTO face_consents (project_id, phone, name, decision, notice_version, signature, camera, created_by, created_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                              {project, phone, name, decision, version, signature.empty() ? nlohmann::json(nullptr) : nlohmann::json(signature),
                               camera.empty() ? nlohmann::json(nullptr) : nlohmann::json(camera), actor.id, now})[0]["id"];
        host_.audit({{"actor_id", actor.id}, {"actor_name", actor.name}, {"project_id", project}, {"action", "face.consent." + decision},
                     {"target", "face_consent:" + std::to_string(id)},
                     {"detail", {{"phone", sdk::Phone::masked(phone)}, {"notice_version", version}, {"signed", !signature.empty()}}}});
    });
    return {{"consent",
             {{"id", id}, {"phone", sdk::Phone::masked(phone)}, {"name", name}, {"decision", decision}, {"notice_version", version},
              {"signed", !signature.empty()}, {"camera", camera.empty() ? nlohmann::json(nullptr) : nlohmann::json(camera)}, {"created_at", now}}}};
}

nlohmann::json CaptureDesk::capture(std::int64_t project, std::int64_t consentId, std::string_view photo, const std::string& contentType,
                                    const Actor& actor) {
    const auto consent = consentRow(project, consentId);
    if (consent["decision"] != "accepted")
        throw sdk::Error::conflict("face.consent_refused", "the visitor did not agree: no photo is taken (check their phone and ID instead)");
    if (!consent["erased_at"].is_null()) throw sdk::Error::conflict("face.consent_withdrawn", "this person's face data was deleted at their request");
    if (!ConsentWindow::covers(consent["created_at"], host_.now()))
        throw sdk::Error::conflict("face.consent_expired", "the consent was given more than 10 minutes ago: ask again");
    return store(project, consent, photo, contentType, actor);
}

nlohmann::json CaptureDesk::cameraCapture(std::int64_t project, const std::string& camera, std::string_view photo, const std::string& contentType,
                                          const Actor& actor) {
    // Decided before the frame is looked at: a frame nobody agreed to is dropped unread.
    const std::int64_t now = host_.now();
    const auto consent = host_.db().one("SELECT * FROM face_consents WHERE project_id = ? AND camera = ? AND decision = 'accepted' AND erased_at IS NULL "
                                        "AND created_at >= ? ORDER BY created_at DESC, id DESC LIMIT 1",
                                        {project, camera, now - ConsentWindow::kCameraMs});
    const bool captured = consent && host_.db().one("SELECT id FROM face_captures WHERE consent_id = ?", {(*consent)["id"]}).has_value();
    if (!consent || !ConsentWindow::cameraMayUse((*consent)["created_at"], captured, now))
        throw sdk::Error::conflict("face.no_consent", "nobody agreed at the desk for camera " + camera + " just now: the frame was dropped");
    // Two visitors (two phones: a consent given twice for one is one visitor) who agreed for this
    // camera and wait for their frame: it cannot tell whose face it sees, and a face stored under
    // the wrong phone is worse than none.
    const auto waiting = host_.db().one("SELECT COUNT(DISTINCT f.phone) AS n FROM face_consents f WHERE f.project_id = ? AND f.camera = ? AND f.decision = 'accepted' "
                                        "AND f.erased_at IS NULL AND f.created_at >= ? AND NOT EXISTS (SELECT 1 FROM face_captures c WHERE c.consent_id = f.id)",
                                        {project, camera, now - ConsentWindow::kCameraMs});
    if ((*waiting)["n"].get<std::int64_t>() > 1)
        throw sdk::Error::conflict("face.camera_ambiguous", "more than one visitor agreed for camera " + camera +
                                                                " in the last two minutes: the frame was dropped; take their photos at the desk");
    return store(project, *consent, photo, contentType, actor);
}

nlohmann::json CaptureDesk::store(std::int64_t project, const nlohmann::json& consent, std::string_view photo, const std::string& contentType,
                                  const Actor& actor) {
    if (!contentType.starts_with("image/jpeg") && !contentType.starts_with("image/png"))
        throw sdk::Error(415, "face.image_invalid", "send the photo itself as image/jpeg or image/png");
    Analysis analysis = engines_.analyse({reinterpret_cast<const unsigned char*>(photo.data()), photo.size()});
    if (analysis.error != ImageError::none)
        throw sdk::Error(422, "face.image_invalid", std::string(imageErrorKey(analysis.error)) + ": " + analysis.message);
    if (analysis.faces.empty()) throw sdk::Error(422, "face.no_face", "no face found in the photo: look at the camera and retake");
    // The largest face is the visitor, the only one described (EngineOptions::visitorOnly); the
    // others are whoever stood beside them. When one of them is nearly as large, which face is the
    // visitor's is a guess, and a guess would file a stranger's face under this phone.
    const Face& visitor = analysis.faces.front();
    for (const cv::Rect& other : analysis.others)
        if (other.area() >= kSameSize * visitor.box.area())
            throw sdk::Error(422, "face.several_faces", std::to_string(analysis.others.size() + 1) + " faces of about the same size (" +
                                                            std::to_string(visitor.box.width) + " and " + std::to_string(other.width) +
                                                            " px across): photograph the visitor alone and retake");
    if (visitor.quality != Quality::ok) throw sdk::Error(422, std::string("face.") + qualityKey(visitor.quality), visitor.reason + ": retake the photo");

    const std::int64_t now = host_.now();
    const auto photoUntil = retention_.photoUntil(now);
    const std::string kept = photoUntil ? keptPhoto(photo, analysis.others) : std::string{};
    const std::string phone = consent["phone"];
    std::int64_t captureId = 0;
    std::vector<std::int64_t> replaced;
    std::vector<std::pair<std::int64_t, const Embedding*>> added;
    try {
        host_.db().transaction([&] {
            // The photo was analysed outside the transaction (100+ ms), so the consent is asked again
            // here, by a write that takes its row: a deletion of this person that committed meanwhile
            // refuses the photo, and one that comes later waits and then finds it (FaceData::erasePerson
            // takes the consent rows first too).
            if (host_.db().exec("UPDATE face_consents SET erased_at = erased_at WHERE id = ? AND erased_at IS NULL", {consent["id"]}) == 0)
                throw sdk::Error::conflict("face.consent_withdrawn", "this person's face data was deleted at their request");
            // Photos wait for a free engine; one that waited past the consent's ten minutes is not covered.
            if (!ConsentWindow::covers(consent["created_at"], now))
                throw sdk::Error::conflict("face.consent_expired", "the consent was given more than 10 minutes ago: ask again");
            // A retake replaces the consent's earlier photo, until a visit took it.
            for (const auto& old : host_.db().query("SELECT id FROM face_captures WHERE consent_id = ? AND visit_id IS NULL", {consent["id"]})) {
                for (const auto& e : host_.db().query("SELECT id FROM face_embeddings WHERE capture_id = ?", {old["id"]})) replaced.push_back(e["id"]);
                host_.db().exec("DELETE FROM face_embeddings WHERE capture_id = ?", {old["id"]});
                host_.db().exec("DELETE FROM face_captures WHERE id = ?", {old["id"]});
            }
            captureId = host_.db().query("INSERT INTO face_captures (project_id, consent_id, phone, name, width, height, faces, photo, photo_until, created_by, created_at) "
                                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                         {project, consent["id"], phone, consent["name"], analysis.width, analysis.height, analysis.faces.size() + analysis.others.size(),
                                          kept.empty() ? nlohmann::json(nullptr) : nlohmann::json(kept),
                                          kept.empty() ? nlohmann::json(nullptr) : nlohmann::json(*photoUntil), actor.id, now})[0]["id"];
            for (std::size_t i = 0; i < analysis.faces.size(); ++i) {
                const Face& face = analysis.faces[i];
                if (!face.hasEmbedding) continue;
                const std::int64_t id = host_.db().query("INSERT INTO face_embeddings (project_id, capture_id, face_index, box, vector, expires_at, model) "
                                                         "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                                         {project, captureId, static_cast<std::int64_t>(i), boxJson(face.box).dump(),
                                                          EmbeddingText::encode(face.embedding), retention_.embeddingUntil(now), model_})[0]["id"];
                added.emplace_back(id, &face.embedding);
            }
            host_.audit({{"actor_id", actor.id}, {"actor_name", actor.name}, {"project_id", project}, {"action", "face.capture"},
                         {"target", "face_capture:" + std::to_string(captureId)},
                         {"detail", {{"consent_id", consent["id"]}, {"faces", analysis.faces.size() + analysis.others.size()}, {"photo_kept", !kept.empty()}}}});
            // Into the gallery before the commit: a deletion can only remove these after it (it waits
            // for the consent's row), so none of them stays behind in memory.
            for (const auto& [id, embedding] : added) galleries_.add(project, id, *embedding);
        });
    } catch (...) {
        // The commit failed: the gallery must not keep ids without a row (a later row may take
        // the same id, and would be matched with this photo's vector).
        std::vector<std::int64_t> ids;
        for (const auto& entry : added) ids.push_back(entry.first);
        galleries_.remove(project, ids);
        throw;
    }
    galleries_.remove(project, replaced);

    nlohmann::json faces = nlohmann::json::array();
    for (const Face& face : analysis.faces) {
        nlohmann::json entry = {{"box", boxJson(face.box)}, {"quality", qualityKey(face.quality)}, {"reason", face.reason}, {"match", nullptr}};
        if (face.hasEmbedding) {
            for (const auto& s : nearest(project, face.embedding, kNearest)) {
                if (s.distance > rule_.threshold() || s.captureId == captureId) continue;
                const auto earlier = host_.db().one("SELECT name, visit_number FROM face_captures WHERE id = ?", {s.captureId});
                entry["match"] = {{"capture_id", s.captureId}, {"distance", s.distance}, {"similarity", rule_.similarity(s.distance)}, {"at", s.at},
                                  {"phone", sdk::Phone::masked(s.phone)}, {"name", earlier ? (*earlier)["name"] : nlohmann::json(nullptr)},
                                  {"visit_number", earlier ? (*earlier)["visit_number"] : nlohmann::json(nullptr)},
                                  {"source", s.source.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.source)}};
                break;
            }
        }
        faces.push_back(std::move(entry));
    }
    return {{"capture",
             {{"id", captureId}, {"consent_id", consent["id"]}, {"phone", sdk::Phone::masked(phone)}, {"width", analysis.width}, {"height", analysis.height},
              {"created_at", now}, {"photo_kept_until", photoUntil ? nlohmann::json(*photoUntil) : nlohmann::json(nullptr)}}},
            {"faces", faces},
            {"companions", analysis.others.size()}};
}

std::vector<Sighting> CaptureDesk::nearest(std::int64_t project, const Embedding& embedding, std::size_t k) const {
    const auto matches = galleries_.best(project, embedding, k);
    if (matches.empty()) return {};
    // The captures behind the k matches in one query, not one each.
    std::vector<std::int64_t> ids;
    for (const auto& match : matches) ids.push_back(match.id);
    const auto in = IdList::of(ids, nlohmann::json::array({project}));
    // Only visits count: a capture gets its source when its visit is registered. A photo whose
    // registration was never finished (the visitor left, a mistyped phone) is nobody's earlier
    // visit; the purge deletes it after a day.
    std::map<std::int64_t, nlohmann::json> byEmbedding;
    for (auto& row : host_.db().query("SELECT e.id AS embedding_id, c.id, c.phone, c.customer_id, c.source, c.created_at FROM face_embeddings e "
                                      "JOIN face_captures c ON c.id = e.capture_id WHERE e.project_id = ? AND c.source IS NOT NULL AND e.id IN (" + in.marks + ")",
                                      in.params)) {
        const std::int64_t key = row["embedding_id"];
        byEmbedding[key] = std::move(row);
    }
    std::vector<Sighting> out;
    for (const auto& match : matches) {
        const auto row = byEmbedding.find(match.id);
        if (row == byEmbedding.end()) continue; // deleted meanwhile, or not a visit
        const auto& c = row->second;
        out.push_back({c["id"], c["phone"], orZero(c, "customer_id"), orEmpty(c, "source"), c["created_at"], match.distance});
    }
    return out;
}

std::vector<Embedding> CaptureDesk::embeddingsOf(std::int64_t captureId) const {
    std::vector<Embedding> out;
    for (const auto& row : host_.db().query("SELECT vector FROM face_embeddings WHERE capture_id = ? AND model = ? ORDER BY face_index", {captureId, model_}))
        if (auto e = EmbeddingText::decode(row["vector"])) out.push_back(*e);
    return out;
}

std::string CaptureDesk::photo(std::int64_t project, std::int64_t captureId, const Actor& actor) {
    const auto row = host_.db().one("SELECT photo, photo_until FROM face_captures WHERE id = ? AND project_id = ?", {captureId, project});
    if (!row || (*row)["photo"].is_null() || RetentionPolicy::expired((*row)["photo_until"], host_.now()))
        throw sdk::Error::notFound("face.photo_not_kept", "this photo is not kept (the project keeps no photos, or it expired)");
    host_.audit({{"actor_id", actor.id}, {"actor_name", actor.name}, {"project_id", project}, {"action", "face.photo.read"},
                 {"target", "face_capture:" + std::to_string(captureId)}, {"detail", nlohmann::json::object()}});
    return (*row)["photo"];
}

nlohmann::json CaptureDesk::check(std::int64_t project, const nlohmann::json& body) {
    const auto part = body.value("extension", nlohmann::json::object());
    const std::string phone = sdk::Phone::normalize(body.value("phone", std::string{}));
    if (!part.is_object() || !part.contains("consent_id"))
        return {{"status", "skipped"}, {"title", text("未做人脸核验", "No face check")}};
    if (!part["consent_id"].is_number_integer()) throw sdk::Error::invalid(kInvalid, "consent_id must be a whole number");
    const auto consent = consentRow(project, part["consent_id"]);
    if (consent["phone"] != phone)
        return {{"status", "warning"},
                {"title", text("人脸同意记录与登记手机号不符", "The face consent was given for another phone")},
                {"detail", {{"consent_id", consent["id"]}, {"reason", "phone_mismatch"}}}};
    if (consent["decision"] == "refused") {
        const bool idChecked = part.value("id_checked", false) == true;
        // Not ticked: the desk is told (a warning shows at the outcome; skipped would not).
        return {{"status", idChecked ? "passed" : "warning"},
                {"title", idChecked ? text("访客不同意人脸识别，已核对身份证件", "Declined face check; ID checked instead")
                                    : text("访客不同意人脸识别，且未勾选已核对身份证件：请核对", "Declined face check and the ID was not marked as checked: check it")},
                {"detail", {{"consent_id", consent["id"]}, {"refused", true}, {"id_checked", idChecked}}}};
    }
    if (!part.contains("capture_id") || !part["capture_id"].is_number_integer())
        return {{"status", "skipped"}, {"title", text("已同意，但未拍照", "Agreed, but no photo was taken")}, {"detail", {{"consent_id", consent["id"]}}}};
    const auto capture = host_.db().one("SELECT id, created_at FROM face_captures WHERE id = ? AND consent_id = ? AND project_id = ?",
                                        {part["capture_id"], consent["id"], project});
    if (!capture) throw sdk::Error::notFound("face.capture_not_found", "no such capture under this consent");
    const std::int64_t captureId = (*capture)["id"];
    const Sighting current{captureId, phone, 0, "", (*capture)["created_at"], 0};
    nlohmann::json detail = {{"consent_id", consent["id"]}, {"capture_id", captureId}};
    for (const auto& embedding : embeddingsOf(captureId)) {
        for (const auto& s : nearest(project, embedding, kNearest)) {
            if (s.captureId == captureId || s.distance > rule_.threshold() || s.at >= current.at || s.phone == phone) continue;
            detail["match"] = {{"capture_id", s.captureId}, {"distance", s.distance}, {"phone", sdk::Phone::masked(s.phone)}, {"at", s.at}};
            const std::string masked = sdk::Phone::masked(s.phone);
            return {{"status", "warning"},
                    {"title", text("人脸与另一手机号 " + masked + " 的到访疑似同一人，已提醒风控", "The face matches an earlier visit under " + masked + ": the risk officer is told")},
                    {"detail", detail}};
        }
    }
    return {{"status", "passed"}, {"title", text("人脸核验：未发现其他手机号的更早到访", "Face check: no earlier visit under another phone")}, {"detail", detail}};
}

void CaptureDesk::visitRegistered(std::int64_t project, const nlohmann::json& event) {
    const auto checks = event.value("checks", nlohmann::json::object());
    if (!checks.is_object() || !checks.contains("face") || !checks["face"].is_object()) return;
    const auto detail = checks["face"].value("detail", nlohmann::json::object());
    if (!detail.is_object() || !detail.contains("capture_id") || !detail["capture_id"].is_number_integer()) return;
    // How this visit came: the customer's source, which a module's check at the desk set when
    // this visit made them a customer (a channel's passed report code), with the channel's name.
    const std::string source = event.value("source", std::string("natural"));
    nlohmann::json channel = nullptr;
    if (source == "channel") {
        const auto customer = host_.request("core.customer.get", {{"customer_id", event["customer_id"]}}, project)["customer"];
        if (customer.is_object() && customer.contains("channel") && customer["channel"].is_string()) channel = customer["channel"];
    }
    const std::int64_t captureId = detail["capture_id"];
    host_.db().transaction([&] {
        if (host_.db().exec("UPDATE face_captures SET visit_id = ?, visit_number = ?, customer_id = ?, source = ?, channel = ? "
                            "WHERE id = ? AND project_id = ? AND visit_id IS NULL",
                            {event["visit_id"], event["number"], event["customer_id"], source, channel, captureId, project}) == 0)
            return; // delivered before (at least once), or the person's data was deleted meanwhile
        const auto row = *host_.db().one("SELECT * FROM face_captures WHERE id = ?", {captureId});
        const Sighting current{captureId, row["phone"], orZero(row, "customer_id"), source, row["created_at"], 0};
        for (const auto& embedding : embeddingsOf(captureId)) {
            const auto finding = rule_.atVisit(current, nearest(project, embedding, kNearest));
            if (!finding) continue;
            const auto earlier = host_.db().one("SELECT * FROM face_captures WHERE id = ?", {finding->earlier.captureId});
            if (earlier) alerts_.raise(project, *finding, AlertBook::snapshot(row), AlertBook::snapshot(*earlier), row["customer_id"]);
        }
    });
}

void CaptureDesk::subscribed(std::int64_t project, const nlohmann::json& event) {
    if (!event.contains("customer_id") || !event["customer_id"].is_number_integer()) return;
    const auto customer = host_.request("core.customer.get", {{"customer_id", event["customer_id"]}}, project)["customer"];
    if (!customer.is_object() || customer.value("source", "") != "channel") return;
    // The channel's visit: its photo when one was taken, else the customer's first visit.
    const auto channelCapture = host_.db().one("SELECT * FROM face_captures WHERE project_id = ? AND customer_id = ? AND source = 'channel' "
                                               "ORDER BY created_at LIMIT 1",
                                               {project, customer["id"]});
    std::int64_t channelAt = channelCapture ? (*channelCapture)["created_at"].get<std::int64_t>() : orZero(customer, "first_visit_at");
    if (channelAt == 0) return;
    std::set<std::string> phones;
    for (const auto& person : customer.value("persons", nlohmann::json::array()))
        if (person.is_object() && person.contains("phone") && person["phone"].is_string()) phones.insert(person["phone"].get<std::string>());
    host_.db().transaction([&] {
        for (const auto& phone : phones) {
            // Every photo under a co-buyer's phone, also the one taken for this subscription; what
            // they match must be a registered visit (nearest).
            for (const auto& probe : host_.db().query("SELECT * FROM face_captures WHERE project_id = ? AND phone = ? ORDER BY created_at", {project, phone})) {
                std::vector<Sighting> sightings{{probe["id"], phone, orZero(probe, "customer_id"), orEmpty(probe, "source"), probe["created_at"], 0}};
                for (const auto& embedding : embeddingsOf(probe["id"]))
                    for (auto& s : nearest(project, embedding, kNearest)) sightings.push_back(std::move(s));
                const auto finding = rule_.atSubscription(channelAt, sightings);
                if (!finding) continue;
                const auto earlier = host_.db().one("SELECT * FROM face_captures WHERE id = ?", {finding->earlier.captureId});
                if (earlier) alerts_.raise(project, *finding, AlertBook::snapshot(channelCapture ? *channelCapture : probe), AlertBook::snapshot(*earlier), customer["id"]);
            }
        }
    });
}

}  // namespace anchang::face
