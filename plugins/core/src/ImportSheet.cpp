#include "ImportSheet.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace anchang::core {

namespace {

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    // A full-width space (U+3000) counts too: Chinese users type it.
    std::string out = s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
    while (out.starts_with("\u3000")) out.erase(0, 3);
    while (out.ends_with("\u3000")) out.erase(out.size() - 3);
    return out;
}

/// "总价（元）" -> "总价", " List Price " -> "listprice".
std::string titleKey(const std::string& title) {
    std::string t = trim(title);
    for (const std::string open : {"(", "（", "["})
        if (const auto at = t.find(open); at != std::string::npos && at > 0) t = t.substr(0, at);
    std::string out;
    for (char c : t)
        if (c != ' ' && c != '_' && c != '-') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string stripSuffix(std::string text, const std::vector<std::string>& units) {
    text = trim(text);
    for (const auto& unit : units)
        if (text.size() > unit.size() && text.ends_with(unit)) return trim(text.substr(0, text.size() - unit.size()));
    return text;
}

std::optional<double> plainNumber(const std::string& text) {
    std::string digits;
    for (char c : text)
        if (c != ',') digits += c;
    if (digits.empty() || digits.size() > 30) return std::nullopt;
    char* end = nullptr;
    const double value = std::strtod(digits.c_str(), &end);
    if (end != digits.c_str() + digits.size() || !std::isfinite(value)) return std::nullopt;
    return value;
}

} // namespace

ImportSheet::ImportSheet(const std::vector<std::vector<std::string>>& rows, std::vector<Column> columns) : columns_(std::move(columns)) {
    if (rows.empty()) {
        error(1, "", "import.empty", "表格是空的：第一行应是列名", "the sheet is empty: its first row should name the columns");
        return;
    }
    std::map<std::string, std::size_t> at;
    for (std::size_t i = 0; i < rows[0].size(); ++i) {
        const std::string title = titleKey(rows[0][i]);
        for (const auto& column : columns_)
            if (!at.count(column.key) && std::any_of(column.titles.begin(), column.titles.end(), [&](const auto& t) { return titleKey(t) == title; }))
                at[column.key] = i;
    }
    for (const auto& column : columns_)
        if (column.required && !at.count(column.key))
            error(1, column.key, "import.missing_column", "缺少列：" + column.label["zh-CN"].get<std::string>(),
                  "missing column: " + column.label["en"].get<std::string>());
    for (std::size_t r = 1; r < rows.size(); ++r) {
        Row row{static_cast<int>(r) + 1, {}};
        bool any = false;
        for (const auto& [key, index] : at) {
            std::string cell = index < rows[r].size() ? trim(rows[r][index]) : std::string{};
            any = any || !cell.empty();
            row.cells[key] = std::move(cell);
        }
        if (any) rows_.push_back(std::move(row));
    }
}

const std::string& ImportSheet::Row::operator[](const std::string& key) const {
    static const std::string empty;
    const auto it = cells.find(key);
    return it == cells.end() ? empty : it->second;
}

const ImportSheet::Column* ImportSheet::column(const std::string& key) const {
    for (const auto& c : columns_)
        if (c.key == key) return &c;
    return nullptr;
}

void ImportSheet::error(int row, const std::string& column, const std::string& code, const std::string& zh, const std::string& en) {
    // The column's name in both languages too, for the preview's table.
    const Column* named = this->column(column);
    errors_.push_back({{"row", row}, {"column", column}, {"column_label", named ? named->label : nlohmann::json(nullptr)}, {"code", code},
                       {"message", {{"zh-CN", zh}, {"en", en}}}});
}

std::optional<std::int64_t> ImportSheet::yuan(const std::string& text) {
    std::string t = trim(text);
    double scale = 1;
    if (t.ends_with("万元")) {
        t = t.substr(0, t.size() - std::string("万元").size());
        scale = 10000;
    } else if (t.ends_with("万")) {
        t = t.substr(0, t.size() - std::string("万").size());
        scale = 10000;
    } else if (t.ends_with("元")) {
        t = t.substr(0, t.size() - std::string("元").size());
    }
    const auto value = plainNumber(trim(t));
    if (!value || *value <= 0 || *value * scale > 1e11) return std::nullopt;
    return static_cast<std::int64_t>(std::llround(*value * scale));
}

std::optional<double> ImportSheet::number(const std::string& text, const std::vector<std::string>& units) {
    return plainNumber(stripSuffix(text, units));
}

} // namespace anchang::core
