#pragma once
/// anchang::JsonText — JSON written straight into a string, for the paths every request takes:
/// the access log line, and the request handed to a plugin (its parameters, query, headers
/// and caller). Building a nlohmann object for each and dumping it cost more than the plugin's
/// own work on a small request (docs/perf.md, the opening storm).

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace anchang {

class JsonText {
public:
    /// Appends `text` escaped for a JSON string, without the quotes. Valid UTF-8 passes as it
    /// is; each byte of invalid UTF-8 (a percent-decoded path may hold any bytes) becomes
    /// U+FFFD, so the result stays valid JSON.
    static void appendEscaped(std::string& out, std::string_view text);
    /// Appends `text` as a quoted JSON string.
    static void appendString(std::string& out, std::string_view text);
    /// Appends ["a","b"].
    static void appendArray(std::string& out, const std::vector<std::string>& items);
    /// {"name":"value",...}
    static std::string object(const std::map<std::string, std::string>& members);
};

} // namespace anchang
