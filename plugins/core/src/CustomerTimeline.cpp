#include "CustomerTimeline.h"

#include <algorithm>

namespace anchang::core {

namespace {

nlohmann::json text(const std::string& zh, const std::string& en) { return {{"zh-CN", zh}, {"en", en}}; }

} // namespace

nlohmann::json CustomerTimeline::of(std::int64_t project, const nlohmann::json& customer) const {
    nlohmann::json entries = nlohmann::json::array(), missing = nlohmann::json::array();
    const auto deals = deals_.list(project, customer["id"].get<std::int64_t>(), std::nullopt);
    for (const auto& d : deals) {
        const std::string amount = d["amount"].dump();
        entries.push_back({{"at", d["subscribed_at"]}, {"module", "core"}, {"kind", "deal.subscribed"},
                           {"title", text("认购（定金 " + amount + " 元）", "Subscribed (deposit " + amount + ")")}, {"detail", {{"deal_id", d["id"]}, {"unit_id", d["unit_id"]}}}});
        if (d["signed_at"].is_number())
            entries.push_back({{"at", d["signed_at"]}, {"module", "core"}, {"kind", "deal.signed"}, {"title", text("签约", "Contract signed")},
                               {"detail", {{"deal_id", d["id"]}}}});
        if (d["refunded_at"].is_number())
            entries.push_back({{"at", d["refunded_at"]}, {"module", "core"}, {"kind", "deal.refunded"}, {"title", text("退房", "Refunded")},
                               {"detail", {{"deal_id", d["id"]}, {"reason", d["refund_reason"]}}}});
    }
    nlohmann::json phones = nlohmann::json::array();
    for (const auto& person : customer.value("persons", nlohmann::json::array())) phones.push_back(person["phone"]);
    for (const auto& answer : host_.extend("core.customer.timeline", project, {{"customer_id", customer["id"]}, {"phones", phones}})) {
        if (!answer.ok()) {
            missing.push_back({{"module", answer.plugin}, {"reason", answer.errorCode}});
            continue;
        }
        for (auto entry : answer.output["entries"]) {
            entry["module"] = answer.plugin; // who says so is the bus's word, not the contributor's
            entries.push_back(std::move(entry));
        }
    }
    std::stable_sort(entries.begin(), entries.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
        return a.value("at", std::int64_t{0}) > b.value("at", std::int64_t{0});
    });
    return {{"entries", entries}, {"missing", missing}};
}

} // namespace anchang::core
