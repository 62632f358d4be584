#include "table/CsvReader.h"

#include "anchang/sdk/Error.hpp"

#include <cerrno>
#include <fstream>
#include <iconv.h>
#include <sstream>

namespace anchang {

namespace {

bool validUtf8(const std::string& s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n;
    }
    return true;
}

std::string fromGb18030(const std::string& in) {
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == reinterpret_cast<iconv_t>(-1)) throw sdk::Error(500, "table.failed", "iconv cannot read GB18030");
    std::string out(in.size() * 2 + 16, '\0');
    char* src = const_cast<char*>(in.data());
    std::size_t left = in.size();
    char* dst = out.data();
    std::size_t room = out.size();
    const std::size_t rc = iconv(cd, &src, &left, &dst, &room);
    iconv_close(cd);
    if (rc == static_cast<std::size_t>(-1))
        throw sdk::Error(422, "table.unreadable", "the CSV file is neither UTF-8 nor GB18030 text; save it again as CSV UTF-8");
    out.resize(out.size() - room);
    return out;
}

} // namespace

Table CsvReader::read(const std::filesystem::path& file, const Table::Limits& limits) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), limits);
}

Table CsvReader::parse(std::string text, const Table::Limits& limits) {
    if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
    else if (!validUtf8(text)) text = fromGb18030(text);
    const std::size_t firstLine = text.find('\n');
    const std::string head = text.substr(0, firstLine);
    const char separator = head.find('\t') != std::string::npos && head.find(',') == std::string::npos ? '\t' : ',';

    Table table;
    std::vector<std::string> row;
    std::string cell;
    bool quoted = false;
    bool any = false; // the row has a character, so an empty last line adds nothing
    auto endCell = [&] {
        if (row.size() < limits.maxColumns) row.push_back(std::move(cell));
        cell.clear();
    };
    auto endRow = [&] {
        endCell();
        if (any) {
            if (table.rows.size() == limits.maxRows) {
                table.truncated = true;
            } else {
                table.rows.push_back(std::move(row));
            }
        }
        row.clear();
        any = false;
    };
    for (std::size_t i = 0; i < text.size() && !table.truncated; ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                cell += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                cell += c;
            }
            continue;
        }
        if (c == '"' && cell.empty()) {
            quoted = any = true;
        } else if (c == separator) {
            endCell();
            any = true;
        } else if (c == '\n') {
            endRow();
        } else if (c != '\r') {
            cell += c;
            any = true;
        }
    }
    if (!table.truncated && (any || !cell.empty())) endRow();
    return table;
}

} // namespace anchang
