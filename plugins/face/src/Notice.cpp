#include "Notice.h"

namespace anchang::face {

namespace {

nlohmann::json text(std::string zh, std::string en) { return {{"zh-CN", std::move(zh)}, {"en", std::move(en)}}; }

std::string photoZh(std::int64_t days) {
    return days > 0 ? "照片保留 " + std::to_string(days) + " 天后自动删除" : "照片在比对完成后立即丢弃，不保存";
}
std::string photoEn(std::int64_t days) {
    return days > 0 ? "photos are kept " + std::to_string(days) + " days, then deleted automatically" : "the photo is dropped as soon as it is compared, never stored";
}

} // namespace

Notice Notice::fromConfig(const nlohmann::json& config, std::int64_t photoDays, std::int64_t embeddingDays) {
    Notice notice;
    notice.photoDays_ = photoDays;
    notice.embeddingDays_ = embeddingDays;
    const std::string days = std::to_string(embeddingDays);
    notice.texts_ = {
        {"version", config.value("notice_version", std::string("2026-12-v2"))},
        {"title", text("人脸信息处理告知", "How your face information is processed")},
        {"text",
         text("为核实来访客户的真实来源、防止渠道冒领佣金（飞单），本售楼处在您同意后，于前台拍摄一张您的面部照片，"
              "在本项目自有服务器上计算人脸特征，与本项目此前的到访记录比对。\n"
              "· 处理目的仅限于核实来访来源，不用于营销、不向任何第三方（包括软件供应商与渠道公司）提供。\n"
              "· 人脸特征仅存放于本项目服务器，保留 " + days + " 天后自动删除；" + photoZh(photoDays) + "。\n"
              "· 只处理您本人的面部：与您同框的其他人不做识别；如留存照片，其面部会被模糊处理。\n"
              "· 您可以不同意：前台将改为核对您的身份证件，您享有的服务与优惠不受任何影响。\n"
              "· 您可随时要求查阅、复制或删除您的人脸信息，或撤回同意，请联系本售楼处风控专员。",
              "To confirm how each visitor came to us and stop channels from claiming commissions they did not earn, "
              "with your agreement this sales office takes one photo of your face at the desk, computes a face descriptor on "
              "the project's own server and compares it with the project's earlier visits.\n"
              "· It is used only to confirm where a visit came from: never for marketing, never given to anyone else "
              "(neither the software vendor nor any agency).\n"
              "· The descriptor stays on this project's server and is deleted after " + days + " days; " + photoEn(photoDays) + ".\n"
              "· Only your own face is processed: nobody else in the photo is recognised, and if photos are kept their "
              "faces are blurred.\n"
              "· You may say no: the desk checks your ID card instead, and nothing you are offered changes.\n"
              "· You may ask at any time to see, copy or delete your face information, or withdraw your consent: ask the "
              "sales office's risk officer.")},
        {"signage",
         text("本区域设有人脸识别设备\n仅在您单独同意后，于前台拍摄比对，用于核实来访来源\n数据仅存本项目服务器，" + days +
                  " 天后删除；不同意不影响任何服务\n查询或删除您的数据，请到前台联系风控专员",
              "This area has face recognition equipment\nOnly after your separate consent, at the desk, to confirm where your visit came from\n"
              "Data stays on this project's server and is deleted after " + days + " days; saying no changes nothing\n"
              "To see or delete your data, ask the desk for the risk officer")},
        {"alternative", text("不同意也不影响您的任何权益：前台将核对您的身份证件。",
                             "Saying no changes nothing for you: the desk checks your ID card instead.")}};
    if (const auto custom = config.find("notice"); custom != config.end() && custom->is_object())
        for (const auto& [key, value] : custom->items())
            if (notice.texts_.contains(key)) notice.texts_[key] = value;
    notice.version_ = notice.texts_["version"].get<std::string>();
    return notice;
}

nlohmann::json Notice::recordWording() const {
    const std::string days = std::to_string(embeddingDays_);
    return {
        {"purpose", text("核实来访客户来源，识别渠道冒领（飞单），供风控专员裁定", "Confirm where a visitor came from and detect channels claiming visitors they did not bring, for the risk officer to rule")},
        {"legal_basis", text("个人单独同意（《个人信息保护法》第二十九条；《人脸识别技术应用安全管理办法》）；不同意者以核对身份证件替代",
                             "The person's separate consent (PIPL art. 29; Measures for the Security Management of Face Recognition Technology Applications); "
                             "those who decline have their ID card checked instead")},
        {"items", nlohmann::json::array({text("同意记录：手机号、称呼、告知版本、时间、签名（如有）", "Consent records: phone, name, notice version, time, signature (if signed)"),
                                          text("访客本人的人脸特征向量（128 维）及其在照片中的位置；同框他人不做识别", "The visitor's own face descriptor (128 numbers) and where the face was in the photo; nobody else in the frame is recognised"),
                                          text("来访照片（仅当项目配置留存天数大于 0；同框他人的面部已模糊）", "The visit photo (only when the project keeps photos; anyone else's face blurred)"),
                                          text("比对结果、提醒及风控裁定", "Match results, alerts and the risk officer's rulings")})},
        {"storage", text("本项目自有服务器的本地数据库，不上传任何云端或第三方", "The project's own server, in its local database; nothing is uploaded to any cloud or third party")},
        {"retention", text("人脸特征 " + days + " 天；" + photoZh(photoDays_) + "；到期由计划任务每日删除；本人要求时立即删除并出具回执",
                           "Descriptors " + days + " days; " + photoEn(photoDays_) + "; a nightly job deletes what expired; on the person's request at once, with a receipt")},
        {"recipients", text("无对外提供；项目内仅风控专员与经理可查看提醒，每次查看记入审计日志",
                            "Given to nobody; inside the project only the risk officer and managers see alerts, and every look is written to the audit log")},
        {"security", text("按角色授权；全部访问写入防篡改的审计日志；数据不出本机", "Role-based access; every access in the tamper-evident audit log; data never leaves this server")}};
}

}  // namespace anchang::face
