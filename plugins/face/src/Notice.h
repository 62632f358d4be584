#pragma once
/// Notice — what the visitor reads before anything is captured, the sign at the entrance, and the
/// processing record's fixed wording. Versioned: a consent keeps the version it was given
/// under, and a PAD showing an older version is told to reload it.
///
/// The wording follows 《人脸识别技术应用安全管理办法》 (in force since 2025-06-01): purpose and
/// means, separate consent, a non-face alternative with no penalty, local storage, retention,
/// the person's rights. A project replaces it with config `notice` ({version, title, text,
/// signage, alternative}, each text {"zh-CN","en"}).

#include <nlohmann/json.hpp>

#include <string>

namespace anchang::face {

class Notice {
public:
    /// The built-in notice, or the configured one; `photoDays` and `embeddingDays` are written
    /// into the text so it never disagrees with the retention actually applied.
    static Notice fromConfig(const nlohmann::json& config, std::int64_t photoDays, std::int64_t embeddingDays);

    const std::string& version() const { return version_; }
    /// {"version","title","text","signage","alternative"}, each text {"zh-CN","en"}.
    const nlohmann::json& texts() const { return texts_; }

    /// Purpose, legal basis, items, storage, retention, recipients and security of the
    /// processing record (个人信息处理记录), each {"zh-CN","en"}.
    nlohmann::json recordWording() const;

private:
    std::string version_;
    nlohmann::json texts_;
    std::int64_t photoDays_ = 0;
    std::int64_t embeddingDays_ = 0;
};

}  // namespace anchang::face
