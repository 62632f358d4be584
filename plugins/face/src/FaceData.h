#pragma once
/// FaceData — what the project holds about faces, as the rules ask it to be handled: one
/// person's data looked up, exported or deleted in one action with a receipt (every look
/// audited); the retention purge; and the counts of the processing record.

#include "Actor.h"
#include "EngineRoom.h"
#include "Galleries.h"
#include "Notice.h"
#include "RetentionPolicy.h"

#include <anchang/sdk/Host.hpp>

namespace anchang::face {

class FaceData {
public:
    /// `engine` names the configured detector and recognizer, for the processing record.
    FaceData(const sdk::Host& host, Galleries& galleries, const RetentionPolicy& retention, const Notice& notice, EngineRoom& engines, float threshold,
             nlohmann::json engine)
        : host_(host), galleries_(galleries), retention_(retention), notice_(notice), engines_(engines), threshold_(threshold), engine_(std::move(engine)) {}

    nlohmann::json person(std::int64_t project, const std::string& phone, const Actor& actor) const;
    nlohmann::json exportPerson(std::int64_t project, const nlohmann::json& body, const Actor& actor);
    nlohmann::json erasePerson(std::int64_t project, const nlohmann::json& body, const Actor& actor);
    /// Deletes photos and embeddings past their date; how many records it touched.
    std::int64_t purge(std::int64_t project);
    /// 个人信息处理记录.
    nlohmann::json record(std::int64_t project);

private:
    /// Everything held about the phone: consents, captures (photos included), embeddings.
    nlohmann::json gather(std::int64_t project, const std::string& phone) const;
    nlohmann::json receipt(std::int64_t project, const std::string& action, const std::string& phone, const nlohmann::json& data, const std::string& reason,
                           const Actor& actor);

    const sdk::Host& host_;
    Galleries& galleries_;
    const RetentionPolicy& retention_;
    const Notice& notice_;
    EngineRoom& engines_;
    float threshold_;
    nlohmann::json engine_; // {"zh-CN", "en"}: what detects and embeds, for the record
};

}  // namespace anchang::face
