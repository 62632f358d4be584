#pragma once
/// anchang::JsonSchemaSubset — the part of JSON Schema (draft 7) that custom form fields and hook
/// shapes use, validated without a library Debian does not ship.
///
/// Keywords: type, enum, required, properties, items (one schema for every item), minLength,
/// maxLength (in Unicode code points), pattern (PCRE via Poco, with a match limit so a hostile
/// pattern cannot hang a request), minimum, maximum, format ("date": a calendar date
/// YYYY-MM-DD; "phone": a mainland China mobile number). title, description and default are
/// accepted and ignored. Any other keyword is refused by check(), so a schema never silently
/// means less than its author thought. tests/unit/JsonSchemaConformanceTest.cpp runs Debian's
/// json-schema-test-suite cases for these keywords.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace anchang {

class JsonSchemaSubset {
public:
    struct Violation {
        std::string path;    ///< "/budget", "" for the value itself
        std::string keyword; ///< the keyword that failed: "type", "required", ...
        std::string message; ///< English, for logs and API clients
    };

    /// Problems with the schema itself (unsupported keyword, wrong keyword type); empty if fine.
    static std::vector<std::string> check(const nlohmann::json& schema);
    /// Whether every keyword in the schema (recursively) is one this class supports.
    static bool supports(const nlohmann::json& schema);

    static std::vector<Violation> validate(const nlohmann::json& schema, const nlohmann::json& value);

    /// "+86 138-0000-0000" -> "13800000000"; empty if it is not a mainland mobile number.
    static std::string normalizePhone(const std::string& text);
    static bool isDate(const std::string& text);
};

} // namespace anchang
