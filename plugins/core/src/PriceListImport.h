#pragma once
/// PriceListImport — the price list (一房一价) a sales office keeps in Excel, checked row by row
/// against the inventory before anything is written: which units it creates, which it reprices
/// or corrects, which it leaves alone, and every row it cannot take with the reason.
///
/// Columns: 楼栋 building, 房号 number and 总价 list price always; 楼层 floor, 户型 layout and
/// 建筑面积 area for a unit not yet in the inventory (an empty cell keeps what an existing unit
/// has). A unit already selected, subscribed or signed keeps its terms: a price list never
/// changes a sale. The same unit twice in one file is refused at its second row.

#include "ImportSheet.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace anchang::core {

class PriceListImport {
public:
    struct Unit {
        std::int64_t id = 0;
        std::string status;
        std::int64_t floor = 0;
        std::string layout;
        double area = 0;
        std::int64_t listPrice = 0;
    };
    /// The inventory as it is: units by (building name, unit number).
    using Inventory = std::map<std::pair<std::string, std::string>, Unit>;

    struct Line {
        int row = 0;
        std::string building;
        std::string number;
        Unit unit;          ///< as it will be; id 0 for a new one
        std::string action; ///< create, update, unchanged
    };
    struct Plan {
        std::vector<Line> lines;
        nlohmann::json errors = nlohmann::json::array();
        bool ok() const { return errors.empty(); }
        /// {"ok","summary":{"create","update","unchanged"},"lines":[...],"errors":[...]}.
        nlohmann::json toJson() const;
    };

    static std::vector<ImportSheet::Column> columns();
    static Plan plan(const std::vector<std::vector<std::string>>& rows, const Inventory& inventory);
};

} // namespace anchang::core
