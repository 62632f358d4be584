#include "CustomerImport.h"

#include "CustomerBook.h"

#include <anchang/sdk/Phone.hpp>

#include <chrono>
#include <cstdio>

namespace anchang::core {

namespace {

nlohmann::json label(const char* zh, const char* en) { return {{"zh-CN", zh}, {"en", en}}; }

/// The source code for "自然来访", "Walk-in" or "natural"; "" when unknown.
std::string sourceCode(const std::string& text) {
    for (const auto& s : CustomerBook::sources())
        if (text == s["code"] || text == s["name"]["zh-CN"] || text == s["name"]["en"]) return s["code"];
    return {};
}

} // namespace

std::vector<ImportSheet::Column> CustomerImport::columns() {
    return {{"name", {"姓名", "客户姓名", "客户名称", "name"}, true, label("姓名", "name")},
            {"phone", {"手机", "手机号", "手机号码", "电话", "联系电话", "phone", "mobile"}, true, label("手机", "phone")},
            {"gender", {"性别", "gender"}, false, label("性别", "gender")},
            {"source", {"来源", "客户来源", "来访渠道", "source"}, false, label("来源", "source")},
            {"consultant", {"置业顾问", "顾问", "归属顾问", "consultant", "owner"}, false, label("置业顾问", "consultant")},
            {"first_visit", {"首访日期", "首访时间", "首次到访", "到访日期", "first visit"}, false, label("首访日期", "first visit")}};
}

std::optional<std::int64_t> CustomerImport::date(const std::string& text, int utcOffsetMinutes) {
    using namespace std::chrono;
    int y = 0, m = 0, d = 0;
    char sep1 = 0, sep2 = 0;
    int used = 0;
    if (std::sscanf(text.c_str(), "%4d%c%2d%c%2d%n", &y, &sep1, &m, &sep2, &d, &used) == 5 && sep1 == sep2 && (sep1 == '-' || sep1 == '/' || sep1 == '.')) {
        // A time after the date is allowed and ignored: the day is what an import knows.
        if (used < static_cast<int>(text.size()) && text[static_cast<std::size_t>(used)] != ' ') return std::nullopt;
        const year_month_day day{year(y), month(static_cast<unsigned>(m)), std::chrono::day(static_cast<unsigned>(d))};
        if (!day.ok() || y < 1990 || y > 2100) return std::nullopt;
        return duration_cast<milliseconds>(sys_days(day).time_since_epoch()).count() - std::int64_t{utcOffsetMinutes} * 60000;
    }
    const auto serial = ImportSheet::number(text, {});
    // Excel's day numbers from 1990 to 2100.
    if (!serial || *serial < 32874 || *serial > 73051) return std::nullopt;
    const auto days = static_cast<std::int64_t>(*serial) - 25569; // 1899-12-30 to 1970-01-01
    return days * 86400000 - std::int64_t{utcOffsetMinutes} * 60000;
}

CustomerImport::Plan CustomerImport::plan(const std::vector<std::vector<std::string>>& rows, const Known& known) {
    ImportSheet sheet(rows, columns());
    Plan plan;
    std::set<std::string> seen;
    if (sheet.ok()) {
        for (const auto& row : sheet.rows()) {
            const int n = row.number;
            Line line{n, row["name"], sdk::Phone::normalize(row["phone"]), "", "natural", std::nullopt, std::nullopt};
            bool bad = false;
            if (line.name.empty() || line.name.size() > 100) {
                sheet.error(n, "name", "import.bad_name", "姓名不能为空，且不超过 100 字节", "the name is missing or longer than 100 bytes");
                bad = true;
            }
            if (line.phone.empty()) {
                sheet.error(n, "phone", "import.bad_phone", "不是大陆手机号：" + row["phone"], "not a mainland mobile number: " + row["phone"]);
                bad = true;
            } else if (known.phones.count(line.phone)) {
                sheet.error(n, "phone", "import.customer_exists", sdk::Phone::masked(line.phone) + " 已是本项目客户",
                            sdk::Phone::masked(line.phone) + " is already a customer of this project");
                bad = true;
            } else if (!seen.insert(line.phone).second) {
                sheet.error(n, "phone", "import.duplicate", sdk::Phone::masked(line.phone) + " 在表中出现了两次",
                            sdk::Phone::masked(line.phone) + " is in the file twice");
                bad = true;
            }
            const std::string& gender = row["gender"];
            if (gender == "男" || gender == "male" || gender == "M") line.gender = "male";
            else if (gender == "女" || gender == "female" || gender == "F") line.gender = "female";
            else if (!gender.empty()) {
                sheet.error(n, "gender", "import.bad_gender", "性别应为“男”或“女”：" + gender, "gender must be 男 or 女 (male, female): " + gender);
                bad = true;
            }
            if (!row["source"].empty()) {
                line.source = sourceCode(row["source"]);
                if (line.source.empty()) {
                    sheet.error(n, "source", "import.bad_source", "未知的来源：" + row["source"], "unknown source: " + row["source"]);
                    bad = true;
                }
            }
            if (!row["consultant"].empty()) {
                const auto it = known.consultants.find(row["consultant"]);
                if (it == known.consultants.end()) {
                    sheet.error(n, "consultant", "import.unknown_consultant", "本项目没有这位置业顾问：" + row["consultant"],
                                "no consultant of this project is called " + row["consultant"]);
                    bad = true;
                } else {
                    line.owner = it->second;
                }
            }
            if (!row["first_visit"].empty()) {
                line.firstVisitAt = date(row["first_visit"], known.utcOffsetMinutes);
                if (!line.firstVisitAt) {
                    sheet.error(n, "first_visit", "import.bad_date", "日期应写成 2026-03-08：" + row["first_visit"],
                                "write the date as 2026-03-08: " + row["first_visit"]);
                    bad = true;
                }
            }
            if (!bad) plan.lines.push_back(std::move(line));
        }
    }
    plan.errors = sheet.errors();
    return plan;
}

nlohmann::json CustomerImport::Plan::toJson() const {
    nlohmann::json out = {{"ok", ok()}, {"errors", errors}, {"lines", nlohmann::json::array()}};
    for (const auto& l : lines)
        out["lines"].push_back({{"row", l.row}, {"name", l.name}, {"phone", sdk::Phone::masked(l.phone)}, {"gender", l.gender}, {"source", l.source},
                                {"owner_id", l.owner ? nlohmann::json(*l.owner) : nlohmann::json(nullptr)},
                                {"first_visit_at", l.firstVisitAt ? nlohmann::json(*l.firstVisitAt) : nlohmann::json(nullptr)},
                                {"action", "create"}});
    out["summary"] = {{"create", lines.size()}, {"errors", errors.size()}};
    return out;
}

} // namespace anchang::core
