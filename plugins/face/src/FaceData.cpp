#include "FaceData.h"

#include "EmbeddingText.h"
#include "IdList.h"

#include <anchang/sdk/Error.hpp>
#include <anchang/sdk/Fields.hpp>
#include <anchang/sdk/Phone.hpp>

#include <Poco/DigestStream.h>
#include <Poco/SHA2Engine.h>
#include <Poco/UUIDGenerator.h>

#include <cstdio>
#include <vector>

namespace anchang::face {

namespace {

constexpr const char* kInvalid = "face.invalid";

std::string phoneOf(const std::string& text) {
    const std::string phone = sdk::Phone::normalize(text);
    if (phone.empty()) throw sdk::Error::invalid("face.invalid_phone", "phone must be a mainland mobile number");
    return phone;
}

std::vector<std::int64_t> idsOf(const nlohmann::json& rows) {
    std::vector<std::int64_t> ids;
    for (const auto& row : rows) ids.push_back(row["id"]);
    return ids;
}

std::string sha256(const std::string& text) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(text);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

} // namespace

nlohmann::json FaceData::gather(std::int64_t project, const std::string& phone) const {
    nlohmann::json consents = host_.db().query("SELECT id, name, decision, notice_version, signature, camera, created_at, erased_at FROM face_consents "
                                               "WHERE project_id = ? AND phone = ? ORDER BY id",
                                               {project, phone});
    nlohmann::json captures = nlohmann::json::array();
    std::int64_t embeddings = 0, photos = 0;
    for (auto& capture : host_.db().query("SELECT id, consent_id, width, height, faces, photo, photo_until, visit_id, visit_number, customer_id, source, channel, created_at "
                                          "FROM face_captures WHERE project_id = ? AND phone = ? ORDER BY id",
                                          {project, phone})) {
        nlohmann::json vectors = nlohmann::json::array();
        for (const auto& row : host_.db().query("SELECT id, face_index, box, vector, expires_at FROM face_embeddings WHERE capture_id = ? ORDER BY face_index", {capture["id"]})) {
            const auto embedding = EmbeddingText::decode(row["vector"]);
            vectors.push_back({{"face_index", row["face_index"]}, {"box", nlohmann::json::parse(row["box"].get<std::string>())},
                               {"expires_at", row["expires_at"]}, {"embedding", embedding ? nlohmann::json(*embedding) : nlohmann::json(nullptr)}});
            ++embeddings;
        }
        if (!capture["photo"].is_null()) ++photos;
        capture["embeddings"] = std::move(vectors);
        captures.push_back(std::move(capture));
    }
    return {{"phone", phone}, {"consents", consents}, {"captures", captures}, {"counts", {{"consents", consents.size()}, {"captures", captures.size()},
                                                                                         {"embeddings", embeddings}, {"photos", photos}}}};
}

nlohmann::json FaceData::person(std::int64_t project, const std::string& phoneText, const Actor& actor) const {
    const std::string phone = phoneOf(phoneText);
    nlohmann::json consents = nlohmann::json::array();
    for (const auto& c : host_.db().query("SELECT id, decision, notice_version, signature IS NOT NULL AS signed, created_at, erased_at FROM face_consents "
                                          "WHERE project_id = ? AND phone = ? ORDER BY id",
                                          {project, phone}))
        consents.push_back({{"id", c["id"]}, {"decision", c["decision"]}, {"notice_version", c["notice_version"]}, {"signed", c["signed"] == 1 || c["signed"] == true},
                            {"created_at", c["created_at"]}, {"erased_at", c["erased_at"]}});
    nlohmann::json captures = nlohmann::json::array();
    std::int64_t embeddings = 0;
    for (const auto& c : host_.db().query("SELECT c.id, c.created_at, c.faces, c.source, c.visit_number, c.photo IS NOT NULL AS photo, "
                                          "(SELECT COUNT(*) FROM face_embeddings e WHERE e.capture_id = c.id) AS embeddings "
                                          "FROM face_captures c WHERE c.project_id = ? AND c.phone = ? ORDER BY c.id",
                                          {project, phone})) {
        embeddings += c["embeddings"].get<std::int64_t>();
        captures.push_back({{"id", c["id"]}, {"at", c["created_at"]}, {"faces", c["faces"]}, {"source", c["source"]}, {"visit_number", c["visit_number"]},
                            {"photo", c["photo"] == 1 || c["photo"] == true}});
    }
    const auto alerts = host_.db().one("SELECT COUNT(*) AS n FROM face_alerts WHERE project_id = ? AND (capture_id IN (SELECT id FROM face_captures WHERE project_id = ? AND phone = ?) "
                                       "OR earlier_capture_id IN (SELECT id FROM face_captures WHERE project_id = ? AND phone = ?))",
                                       {project, project, phone, project, phone});
    host_.audit({{"actor_id", actor.id}, {"actor_name", actor.name}, {"project_id", project}, {"action", "face.person.read"},
                 {"target", "phone:" + sdk::Phone::masked(phone)}, {"detail", nlohmann::json::object()}});
    return {{"phone", sdk::Phone::masked(phone)}, {"consents", consents}, {"captures", captures}, {"embeddings", embeddings}, {"alerts", (*alerts)["n"]}};
}

nlohmann::json FaceData::receipt(std::int64_t project, const std::string& action, const std::string& phone, const nlohmann::json& data,
                                 const std::string& reason, const Actor& actor) {
    const std::int64_t now = host_.now();
    const auto counts = data["counts"];
    const std::string digest = sha256(data.dump());
    // FD-<local day>-<n>: a number the person can quote. n is the receipt's row id, so two
    // officers' receipts at the same moment never reach for the same number.
    const auto offset = host_.project(project).value("utc_offset_minutes", 480);
    const std::time_t local = static_cast<std::time_t>((now + offset * 60'000LL) / 1000);
    std::tm day{};
    gmtime_r(&local, &day);
    char date[16];
    std::strftime(date, sizeof date, "%Y%m%d", &day);
    const std::int64_t id = host_.db().query("INSERT INTO face_receipts (project_id, number, action, phone, counts, digest, reason, by_user, by_name, created_at) "
                                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                             {project, "pending:" + Poco::UUIDGenerator::defaultGenerator().createRandom().toString(), action, sdk::Phone::masked(phone), counts.dump(), digest,
                                              reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(reason), actor.id, actor.name, now})[0]["id"];
    char number[40];
    std::snprintf(number, sizeof number, "FD-%s-%04lld", date, static_cast<long long>(id));
    host_.db().exec("UPDATE face_receipts SET number = ? WHERE id = ?", {number, id});
    host_.audit({{"actor_id", actor.id}, {"actor_name", actor.name}, {"project_id", project}, {"action", "face.person." + action},
                 {"target", "phone:" + sdk::Phone::masked(phone)}, {"detail", {{"receipt", number}, {"counts", counts}, {"digest", digest}, {"reason", reason}}}});
    nlohmann::json out = {{"id", number}, {"action", action}, {"phone", sdk::Phone::masked(phone)}, {"at", now}, {"by_name", actor.name}, {"digest", digest}};
    for (const auto& [key, value] : counts.items()) out[key] = value;
    if (!reason.empty()) out["reason"] = reason;
    return out;
}

nlohmann::json FaceData::exportPerson(std::int64_t project, const nlohmann::json& body, const Actor& actor) {
    const std::string phone = phoneOf(sdk::Fields::text(body, "phone", 20, true, kInvalid));
    nlohmann::json data, out;
    host_.db().transaction([&] {
        data = gather(project, phone);
        out = receipt(project, "export", phone, data, {}, actor);
    });
    data["receipt"] = out;
    // The copy is the person's: it says in words what its fields are.
    data["explained"] = {
        {"zh-CN", "这是您在本项目的人脸数据副本。consents：同意记录（decision 为同意 accepted 或不同意 refused，notice_version 为当时的告知版本，"
                  "erased_at 为删除时间）；captures：每次采集（visit_number 为来访编号，source 为来访来源，photo 为留存的照片，base64 编码的 JPEG）；"
                  "embeddings：每张人脸的特征向量，128 个数字，用于比对，不是照片，不能还原出面部；expires_at 为到期删除的时间。"
                  "所有时间均为自 1970-01-01 00:00 UTC 起的毫秒数。receipt 为本次导出的回执，其 digest 为 phone、consents、captures、counts 四项（键名排序的紧凑 JSON）的 SHA-256 摘要。"},
        {"en", "This is a copy of your face data in this project. consents: each consent (decision accepted or refused, notice_version the notice "
               "you were shown, erased_at when your data was deleted); captures: each photo taken (visit_number your visit's number, source how "
               "you came, photo the kept photo as base64 JPEG); embeddings: each face's descriptor, 128 numbers used for matching — not a photo, "
               "and no face can be rebuilt from it; expires_at is when it is deleted. Every time is in milliseconds since 1970-01-01 00:00 UTC. "
               "receipt is this export's receipt; its digest is the SHA-256 of phone, consents, captures and counts (compact JSON, keys sorted)."}};
    data["exported_at"] = out["at"];
    data["threshold"] = threshold_;
    data["notice_version"] = notice_.version();
    return {{"receipt", out}, {"data", data}};
}

nlohmann::json FaceData::erasePerson(std::int64_t project, const nlohmann::json& body, const Actor& actor) {
    const std::string phone = phoneOf(sdk::Fields::text(body, "phone", 20, true, kInvalid));
    const std::string reason = sdk::Fields::text(body, "reason", 600, true, kInvalid);
    nlohmann::json out;
    std::vector<std::int64_t> gone;
    host_.db().transaction([&] {
        // The consent rows are taken first: a capture under one of them that is being stored now
        // holds its row until it commits, and is then gathered and deleted below; one that comes
        // later waits, and finds the consent erased (CaptureDesk::store). Only these are erased: a
        // consent given after this point is a new agreement (PostgreSQL's statements each see
        // what committed before them), not part of this request.
        const auto consents = idsOf(host_.db().query("UPDATE face_consents SET erased_at = erased_at WHERE project_id = ? AND phone = ? RETURNING id", {project, phone}));
        const auto data = gather(project, phone);
        for (const auto& row : host_.db().query("SELECT e.id FROM face_embeddings e JOIN face_captures c ON c.id = e.capture_id WHERE c.project_id = ? AND c.phone = ?",
                                                {project, phone}))
            gone.push_back(row["id"]);
        host_.db().exec("DELETE FROM face_embeddings WHERE capture_id IN (SELECT id FROM face_captures WHERE project_id = ? AND phone = ?)", {project, phone});
        host_.db().exec("DELETE FROM face_captures WHERE project_id = ? AND phone = ?", {project, phone});
        // The consent record stays (the proof of what was agreed, and that it was honoured), its
        // signature does not.
        if (!consents.empty()) {
            const auto taken = IdList::of(consents, nlohmann::json::array({host_.now()}));
            host_.db().exec("UPDATE face_consents SET signature = NULL, camera = NULL, erased_at = ? WHERE id IN (" + taken.marks + ")", taken.params);
        }
        out = receipt(project, "delete", phone, data, reason, actor);
    });
    galleries_.remove(project, gone);
    return {{"receipt", out}};
}

std::int64_t FaceData::purge(std::int64_t project) {
    const std::int64_t now = host_.now();
    std::int64_t touched = 0;
    std::vector<std::int64_t> gone;
    host_.db().transaction([&] {
        touched += host_.db().exec("UPDATE face_captures SET photo = NULL, photo_until = NULL WHERE project_id = ? AND photo_until IS NOT NULL AND photo_until <= ?",
                                   {project, now});
        for (const auto& row : host_.db().query("SELECT id FROM face_embeddings WHERE project_id = ? AND expires_at <= ?", {project, now})) gone.push_back(row["id"]);
        touched += host_.db().exec("DELETE FROM face_embeddings WHERE project_id = ? AND expires_at <= ?", {project, now});
        // Photos whose visit was never registered (no source) go whole after a day. Taken by a
        // write first, so a registration that lands meanwhile either came before (the photo is a
        // visit and stays) or finds it gone (CaptureDesk::visitRegistered), never half of each.
        const auto strays = idsOf(host_.db().query("UPDATE face_captures SET source = source WHERE project_id = ? AND source IS NULL AND created_at <= ? RETURNING id",
                                                   {project, now - RetentionPolicy::kUnregisteredMs}));
        if (!strays.empty()) {
            const auto in = IdList::of(strays);
            for (const auto id : idsOf(host_.db().query("SELECT id FROM face_embeddings WHERE capture_id IN (" + in.marks + ")", in.params))) gone.push_back(id);
            touched += host_.db().exec("DELETE FROM face_embeddings WHERE capture_id IN (" + in.marks + ")", in.params);
            touched += host_.db().exec("DELETE FROM face_captures WHERE id IN (" + in.marks + ")", in.params);
        }
        if (touched > 0)
            host_.audit({{"actor_id", 0}, {"actor_name", "face"}, {"project_id", project}, {"action", "face.retention.purge"}, {"target", "project:" + std::to_string(project)},
                         {"detail", {{"records", touched}, {"embeddings", gone.size()}}}});
    });
    galleries_.remove(project, gone);
    return touched;
}

nlohmann::json FaceData::record(std::int64_t project) {
    auto count = [&](const std::string& sql) { return (*host_.db().one(sql, {project}))["n"]; };
    const std::string reason = engines_.unavailable();
    nlohmann::json out = notice_.recordWording();
    out["project"] = {{"name", host_.project(project).value("name", std::string{})}};
    out["generated_at"] = host_.now();
    out["notice"] = {{"version", notice_.version()}, {"text", notice_.texts()["text"]}};
    out["signage"] = notice_.texts()["signage"];
    out["threshold"] = threshold_;
    out["engine"] = {{"ready", reason.empty()}, {"reason", reason}, {"model", engine_}};
    out["counts"] = {{"consents_accepted", count("SELECT COUNT(*) AS n FROM face_consents WHERE project_id = ? AND decision = 'accepted'")},
                     {"consents_refused", count("SELECT COUNT(*) AS n FROM face_consents WHERE project_id = ? AND decision = 'refused'")},
                     {"captures", count("SELECT COUNT(*) AS n FROM face_captures WHERE project_id = ?")},
                     {"embeddings", count("SELECT COUNT(*) AS n FROM face_embeddings WHERE project_id = ?")},
                     {"photos_kept", count("SELECT COUNT(*) AS n FROM face_captures WHERE project_id = ? AND photo IS NOT NULL")},
                     {"alerts_open", count("SELECT COUNT(*) AS n FROM face_alerts WHERE project_id = ? AND status = 'open'")},
                     {"alerts_confirmed", count("SELECT COUNT(*) AS n FROM face_alerts WHERE project_id = ? AND status = 'confirmed'")},
                     {"alerts_dismissed", count("SELECT COUNT(*) AS n FROM face_alerts WHERE project_id = ? AND status = 'dismissed'")},
                     {"exports", count("SELECT COUNT(*) AS n FROM face_receipts WHERE project_id = ? AND action = 'export'")},
                     {"deletions", count("SELECT COUNT(*) AS n FROM face_receipts WHERE project_id = ? AND action = 'delete'")}};
    return out;
}

}  // namespace anchang::face
