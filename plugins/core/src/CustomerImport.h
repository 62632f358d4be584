#pragma once
/// CustomerImport — customers a sales office brings from its old system or spreadsheet,
/// checked row by row before anything is written.
///
/// Columns: 姓名 name and 手机 phone always; 性别 gender (男/女), 来源 source (自然来访, 渠道,
/// 老带新, … or their codes), 置业顾问 consultant (username or name of a consultant on the
/// project's roster) and 首访日期 first visit (2026-03-08, or Excel's date number) when known.
/// A phone that is not a mainland mobile, that is already a customer's (a household member's
/// included) or that appears twice in the file is refused at its row: an import adds customers,
/// it never merges or takes one over.

#include "ImportSheet.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace anchang::core {

class CustomerImport {
public:
    struct Known {
        std::set<std::string> phones;                  ///< every phone already in the project
        std::map<std::string, std::int64_t> consultants; ///< username and display name -> user id
        int utcOffsetMinutes = 480;                     ///< for dates without a time
    };
    struct Line {
        int row = 0;
        std::string name;
        std::string phone;
        std::string gender;  ///< male, female or ""
        std::string source;  ///< a CustomerBook source code
        std::optional<std::int64_t> owner;
        std::optional<std::int64_t> firstVisitAt;
    };
    struct Plan {
        std::vector<Line> lines;
        nlohmann::json errors = nlohmann::json::array();
        bool ok() const { return errors.empty(); }
        /// {"ok","summary":{"create","errors"},"lines":[...],"errors":[...]}; phones masked.
        nlohmann::json toJson() const;
    };

    static std::vector<ImportSheet::Column> columns();
    static Plan plan(const std::vector<std::vector<std::string>>& rows, const Known& known);
    /// "2026-03-08", "2026/3/8" or an Excel date number (days since 1899-12-30) -> ms at local
    /// midnight; nullopt for anything else.
    static std::optional<std::int64_t> date(const std::string& text, int utcOffsetMinutes);
};

} // namespace anchang::core
