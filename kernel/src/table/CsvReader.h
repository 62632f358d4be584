#pragma once
/// anchang::CsvReader — a CSV file as a Table (RFC 4180 quoting; comma, or tab when the first
/// line has tabs and no commas). Excel in China saves CSV in GB18030 (GBK) unless told
/// otherwise, so a file that is not UTF-8 is read as GB18030; a UTF-8 byte-order mark is dropped.

#include "table/Table.h"

#include <filesystem>

namespace anchang {

class CsvReader {
public:
    /// Throws sdk::Error 422 table.unreadable when the text is neither UTF-8 nor GB18030.
    static Table read(const std::filesystem::path& file, const Table::Limits& limits);
    /// The same from text in memory (tests).
    static Table parse(std::string text, const Table::Limits& limits);
};

} // namespace anchang
