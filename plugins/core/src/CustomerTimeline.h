#pragma once
/// CustomerTimeline — everything that happened with one customer, newest first: core's own deals,
/// and what each running module contributes to the extension point core.customer.timeline
/// (registration's visits and calls, channel's reports, follow-ups, pool entries…). Core never
/// names them: a module that is not running simply adds nothing, and one that fails or runs out
/// of time is listed under `missing`, so the page says what it could not show.

#include "DealBook.h"

#include <anchang/sdk/Host.hpp>

#include <cstdint>

namespace anchang::core {

class CustomerTimeline {
public:
    CustomerTimeline(const sdk::Host& host, const DealBook& deals) : host_(host), deals_(deals) {}

    /// {"entries":[{"at","module","kind","title":{zh-CN,en},"detail"}], "missing":[{"module","reason"}]}
    /// for `customer` (a customer row with its persons).
    nlohmann::json of(std::int64_t project, const nlohmann::json& customer) const;

private:
    const sdk::Host& host_;
    const DealBook& deals_;
};

} // namespace anchang::core
