#pragma once
/// anchang::XlsxReader — the first sheet of an Excel workbook (.xlsx) as a Table, with Poco's
/// Zip and its SAX parser (expat): shared strings, inline strings, numbers, booleans; a cell's
/// column from its reference, so skipped cells stay empty. Formulas give their cached value.
/// Each part is read up to Table::Limits::maxPartBytes uncompressed, so a zip bomb stops there,
/// and the XML parser resolves no external entities.

#include "table/Table.h"

#include <filesystem>

namespace anchang {

class XlsxReader {
public:
    /// Throws sdk::Error 422 table.unreadable for a file that is not a workbook or too large inside.
    static Table read(const std::filesystem::path& file, const Table::Limits& limits);
};

} // namespace anchang
