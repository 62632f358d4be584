#pragma once
/// anchang::Table — rows read from a spreadsheet: every cell as text, the first row as the file
/// had it (modules match their column titles against it).

#include <string>
#include <vector>

namespace anchang {

struct Table {
    std::string sheet;                          ///< the sheet read (xlsx), "" for CSV
    std::vector<std::vector<std::string>> rows; ///< trailing empty rows dropped
    bool truncated = false;                     ///< more rows than the reader was allowed

    /// Limits for a file from a stranger.
    struct Limits {
        std::size_t maxRows = 20000;
        std::size_t maxColumns = 100;
        std::size_t maxPartBytes = 64u << 20; ///< an xlsx part, uncompressed (a zip bomb stops here)
    };
};

} // namespace anchang
