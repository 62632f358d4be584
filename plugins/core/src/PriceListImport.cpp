#include "PriceListImport.h"

#include <cmath>
#include <set>

namespace anchang::core {

namespace {

nlohmann::json label(const char* zh, const char* en) { return {{"zh-CN", zh}, {"en", en}}; }

bool sellable(const std::string& status) { return status == "available" || status == "held"; }

} // namespace

std::vector<ImportSheet::Column> PriceListImport::columns() {
    return {{"building", {"楼栋", "楼号", "栋", "building"}, true, label("楼栋", "building")},
            {"floor", {"楼层", "层", "floor"}, false, label("楼层", "floor")},
            {"number", {"房号", "房间号", "单元号", "unit", "number", "unit number"}, true, label("房号", "unit number")},
            {"layout", {"户型", "layout"}, false, label("户型", "layout")},
            {"area", {"建筑面积", "面积", "area"}, false, label("建筑面积", "area")},
            {"list_price", {"总价", "表价", "价格", "list price", "price"}, true, label("总价", "list price")}};
}

PriceListImport::Plan PriceListImport::plan(const std::vector<std::vector<std::string>>& rows, const Inventory& inventory) {
    ImportSheet sheet(rows, columns());
    Plan plan;
    std::set<std::pair<std::string, std::string>> seen;
    if (sheet.ok()) {
        for (const auto& row : sheet.rows()) {
            const int n = row.number;
            Line line{n, row["building"], row["number"], {}, ""};
            if (line.building.empty()) sheet.error(n, "building", "import.required", "楼栋不能为空", "the building is missing");
            if (line.number.empty()) sheet.error(n, "number", "import.required", "房号不能为空", "the unit number is missing");
            if (line.building.empty() || line.number.empty()) continue;
            const auto key = std::make_pair(line.building, line.number);
            if (!seen.insert(key).second) {
                sheet.error(n, "number", "import.duplicate", line.building + " " + line.number + " 在表中出现了两次",
                            line.building + " " + line.number + " is in the file twice");
                continue;
            }
            const auto existing = inventory.find(key);
            const bool known = existing != inventory.end();
            line.unit = known ? existing->second : Unit{};
            bool bad = false;

            const auto price = ImportSheet::yuan(row["list_price"]);
            if (!price) {
                sheet.error(n, "list_price", "import.bad_price", "总价应为正数（元，或带“万”）：" + row["list_price"],
                            "the list price must be a positive amount (yuan, or with 万): " + row["list_price"]);
                bad = true;
            } else {
                line.unit.listPrice = *price;
            }
            if (!row["floor"].empty()) {
                const auto floor = ImportSheet::number(row["floor"], {"层", "楼", "F", "f"});
                if (!floor || *floor != std::floor(*floor) || *floor < -5 || *floor > 300 || *floor == 0) {
                    sheet.error(n, "floor", "import.bad_floor", "楼层应为 -5 到 300 之间的整数：" + row["floor"],
                                "the floor must be a whole number from -5 to 300: " + row["floor"]);
                    bad = true;
                } else {
                    line.unit.floor = static_cast<std::int64_t>(*floor);
                }
            } else if (!known) {
                sheet.error(n, "floor", "import.required", "新房源需要楼层", "a new unit needs its floor");
                bad = true;
            }
            if (!row["layout"].empty()) {
                if (row["layout"].size() > 100) {
                    sheet.error(n, "layout", "import.too_long", "户型太长", "the layout is too long");
                    bad = true;
                }
                line.unit.layout = row["layout"];
            } else if (!known) {
                sheet.error(n, "layout", "import.required", "新房源需要户型", "a new unit needs its layout");
                bad = true;
            }
            if (!row["area"].empty()) {
                const auto area = ImportSheet::number(row["area"], {"平方米", "平米", "㎡", "m²", "m2"});
                if (!area || *area <= 0 || *area > 10000) {
                    sheet.error(n, "area", "import.bad_area", "建筑面积应为正数（平方米）：" + row["area"],
                                "the area must be a positive number of square metres: " + row["area"]);
                    bad = true;
                } else {
                    line.unit.area = std::round(*area * 100) / 100;
                }
            } else if (!known) {
                sheet.error(n, "area", "import.required", "新房源需要建筑面积", "a new unit needs its area");
                bad = true;
            }
            if (bad) continue;

            if (!known) {
                line.action = "create";
            } else {
                const Unit& was = existing->second;
                const bool same = was.listPrice == line.unit.listPrice && was.floor == line.unit.floor && was.layout == line.unit.layout &&
                                  std::abs(was.area - line.unit.area) < 0.005;
                if (same) {
                    line.action = "unchanged";
                } else if (!sellable(was.status)) {
                    sheet.error(n, "list_price", "import.unit_sold", line.building + " " + line.number + " 已认购或签约，不能改价或改资料",
                                line.building + " " + line.number + " is already sold; its terms cannot change");
                    continue;
                } else {
                    line.action = "update";
                }
            }
            plan.lines.push_back(std::move(line));
        }
    }
    plan.errors = sheet.errors();
    return plan;
}

nlohmann::json PriceListImport::Plan::toJson() const {
    nlohmann::json out = {{"ok", ok()}, {"errors", errors}, {"lines", nlohmann::json::array()}};
    int create = 0, update = 0, unchanged = 0;
    for (const auto& l : lines) {
        (l.action == "create" ? create : l.action == "update" ? update : unchanged)++;
        out["lines"].push_back({{"row", l.row}, {"building", l.building}, {"number", l.number}, {"floor", l.unit.floor},
                                {"layout", l.unit.layout}, {"area", l.unit.area}, {"list_price", l.unit.listPrice}, {"action", l.action}});
    }
    out["summary"] = {{"create", create}, {"update", update}, {"unchanged", unchanged}, {"errors", errors.size()}};
    return out;
}

} // namespace anchang::core
