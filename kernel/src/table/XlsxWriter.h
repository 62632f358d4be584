#pragma once
/// anchang::XlsxWriter — rows to an Excel workbook (.xlsx) with Debian's libxlsxwriter: one
/// or more sheets, each with a bold frozen title row, column widths, numbers as numbers and everything else as
/// text (never a formula, so a customer named "=HYPERLINK(...)" stays a name).

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace anchang {

class XlsxWriter {
public:
    /// `columns` [{"key","title","width"?}], `rows` [{key: value}]. Throws sdk::Error 400
    /// table.invalid for a malformed request, 500 table.failed when the file cannot be written.
    static void write(const std::filesystem::path& file, const std::string& sheet, const nlohmann::json& columns, const nlohmann::json& rows);
    /// Several sheets in one workbook (a dashboard's tables): `sheets` [{"sheet","columns","rows"}],
    /// 1 to 20 of them, 1,000,000 rows in all.
    static void write(const std::filesystem::path& file, const nlohmann::json& sheets);
};

} // namespace anchang
