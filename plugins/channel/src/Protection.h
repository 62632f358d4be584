#pragma once
/// Protection — how long a report holds its customer for the channel, by the company's mode:
///  - report_deal (报备保护): from the report, deal_days (default 30) to close; no visit needed;
///  - report_visit_deal (带看保护): from the report, visit_days (default 7) to bring the customer;
///    from the visit, deal_days to close;
///  - visit_deal (到访为王): a report holds nobody — the first channel to bring the customer wins;
///    from the visit, deal_days.
/// A subscription inside the window confirms the attribution (确客); a window that passes
/// releases the customer (the nightly job, and every read, see protected_until).

#include <cstdint>
#include <optional>
#include <set>
#include <string>

namespace anchang::channel {

class Protection {
public:
    static constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

    struct Policy {
        std::string mode = "report_visit_deal";
        int visitDays = 7;
        int dealDays = 30;
        int minAdvanceMinutes = 60;
        std::set<std::string> hiddenFormats{"3-4"};
    };

    static bool knownMode(const std::string& mode) { return mode == "report_deal" || mode == "report_visit_deal" || mode == "visit_deal"; }
    /// Until when a new report holds its customer; nullopt where a report alone holds nothing.
    static std::optional<std::int64_t> fromReport(const Policy& policy, std::int64_t reportedAt);
    /// Until when a confirmed visit holds the customer for the report's channel.
    static std::int64_t fromVisit(const Policy& policy, std::int64_t reportedAt, std::int64_t visitedAt);
};

} // namespace anchang::channel
