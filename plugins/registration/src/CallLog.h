#pragma once
/// CallLog — phone enquiries (来电登记). A call is not a visit: it makes no customer and no
/// owner ("电话咨询的客户一律不准做客户登记，而是做电话记录"); it is kept apart, with the
/// questions asked and who took the call.

#include "LocalDay.h"

#include <anchang/sdk/Host.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace anchang::registration {

class CallLog {
public:
    CallLog(const sdk::Host& host, const LocalDay& day) : host_(host), day_(day) {}

    /// {"phone","name"?,"notes"?,"questionnaire"?,"consultant_id"?} -> the record.
    nlohmann::json record(std::int64_t project, const nlohmann::json& body, std::int64_t userId) const;
    nlohmann::json list(std::int64_t project, const std::optional<std::string>& day, int limit) const;

private:
    const sdk::Host& host_;
    const LocalDay& day_;
};

} // namespace anchang::registration
