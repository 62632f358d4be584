#include "table/XlsxWriter.h"

#include "anchang/sdk/Error.hpp"

#include <xlsxwriter.h>

#include <memory>
#include <set>

namespace anchang {

namespace {

/// A sheet name Excel accepts: at most 31 characters, none of []:*?/\.
std::string sheetName(const std::string& wanted) {
    std::string out;
    std::size_t characters = 0;
    for (std::size_t i = 0; i < wanted.size() && characters < 31; ++characters) {
        const auto c = static_cast<unsigned char>(wanted[i]);
        const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
        const std::string one = wanted.substr(i, n);
        if (one.size() != 1 || std::string("[]:*?/\\").find(one[0]) == std::string::npos) out += one;
        i += n;
    }
    return out.empty() ? "Sheet1" : out;
}

} // namespace

void XlsxWriter::write(const std::filesystem::path& file, const std::string& sheet, const nlohmann::json& columns, const nlohmann::json& rows) {
    write(file, nlohmann::json::array({{{"sheet", sheet}, {"columns", columns}, {"rows", rows}}}));
}

void XlsxWriter::write(const std::filesystem::path& file, const nlohmann::json& sheets) {
    if (!sheets.is_array() || sheets.empty() || sheets.size() > 20) throw sdk::Error::invalid("table.invalid", "sheets must list 1 to 20 sheets");
    std::size_t total = 0;
    for (const auto& s : sheets) {
        if (!s.is_object()) throw sdk::Error::invalid("table.invalid", "each sheet needs columns and rows");
        const auto columns = s.value("columns", nlohmann::json()), rows = s.value("rows", nlohmann::json());
        if (!columns.is_array() || columns.empty() || columns.size() > 200) throw sdk::Error::invalid("table.invalid", "columns must list 1 to 200 columns");
        for (const auto& c : columns)
            if (!c.is_object() || !c.contains("key") || !c["key"].is_string() || !c.contains("title") || !c["title"].is_string())
                throw sdk::Error::invalid("table.invalid", "each column needs key and title");
        if (!rows.is_array()) throw sdk::Error::invalid("table.invalid", "rows must be a list");
        total += rows.size();
        if (s.contains("sheet") && !s["sheet"].is_string()) throw sdk::Error::invalid("table.invalid", "a sheet's name must be text");
    }
    if (total > 1'000'000) throw sdk::Error::invalid("table.invalid", "rows must be at most 1,000,000 in all");

    std::unique_ptr<lxw_workbook, decltype(&workbook_close)> book(workbook_new(file.c_str()), &workbook_close);
    if (!book) throw sdk::Error(500, "table.failed", "cannot create " + file.string());
    lxw_format* bold = workbook_add_format(book.get());
    format_set_bold(bold);
    std::set<std::string> taken;
    for (std::size_t n = 0; n < sheets.size(); ++n) {
        const auto& s = sheets[n];
        // Excel refuses two sheets of one name: a repeated one gets its position.
        std::string name = sheetName(s.value("sheet", std::string("Sheet") + std::to_string(n + 1)));
        if (!taken.insert(name).second) taken.insert(name = "Sheet" + std::to_string(n + 1));
        lxw_worksheet* ws = workbook_add_worksheet(book.get(), name.c_str());
        if (!ws) throw sdk::Error::invalid("table.invalid", "sheet " + std::to_string(n + 1) + "'s name is taken");
        const auto& columns = s["columns"];
        const auto& rows = s["rows"];
        for (std::size_t c = 0; c < columns.size(); ++c) {
            const auto col = static_cast<lxw_col_t>(c);
            worksheet_write_string(ws, 0, col, columns[c]["title"].get<std::string>().c_str(), bold);
            worksheet_set_column(ws, col, col, columns[c].value("width", 14.0), nullptr);
        }
        worksheet_freeze_panes(ws, 1, 0);
        for (std::size_t r = 0; r < rows.size(); ++r) {
            const auto& row = rows[r];
            if (!row.is_object()) throw sdk::Error::invalid("table.invalid", "row " + std::to_string(r + 1) + " is not an object");
            for (std::size_t c = 0; c < columns.size(); ++c) {
                const auto it = row.find(columns[c]["key"].get<std::string>());
                if (it == row.end() || it->is_null()) continue;
                const auto at = static_cast<lxw_row_t>(r + 1);
                const auto col = static_cast<lxw_col_t>(c);
                if (it->is_number()) worksheet_write_number(ws, at, col, it->get<double>(), nullptr);
                else if (it->is_string()) worksheet_write_string(ws, at, col, it->get<std::string>().c_str(), nullptr);
                else if (it->is_boolean()) worksheet_write_boolean(ws, at, col, it->get<bool>(), nullptr);
                else worksheet_write_string(ws, at, col, it->dump().c_str(), nullptr);
            }
        }
    }
    if (const lxw_error error = workbook_close(book.release()); error != LXW_NO_ERROR)
        throw sdk::Error(500, "table.failed", std::string("cannot write the workbook: ") + lxw_strerror(error));
}

} // namespace anchang
