#pragma once
/// anchang::sdk::Fields — a request's fields, read with the checks every route repeats.
///
/// nlohmann's `value()` throws a type_error (a 500) when a field has another type than the
/// default; these answer 400 with the route's own code and the field's name instead. The kernel
/// reads its own query numbers with `wholeNumber` too.

#include "anchang/sdk/Error.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace anchang::sdk {

class Fields {
public:
    /// Text of at most `maxBytes`: "" when absent, null or empty, unless `required` (then 400 `code`).
    static std::string text(const nlohmann::json& body, const std::string& key, std::size_t maxBytes, bool required,
                            const std::string& code) {
        auto it = body.find(key);
        if (it == body.end() || it->is_null() || (it->is_string() && it->get_ref<const std::string&>().empty())) {
            if (required) throw Error::invalid(code, key + " is required");
            return {};
        }
        if (!it->is_string() || it->get_ref<const std::string&>().size() > maxBytes)
            throw Error::invalid(code, key + " must be text of at most " + std::to_string(maxBytes) + " bytes");
        return *it;
    }

    /// `text` for a LIKE pattern with `ESCAPE '\\'`: its '%', '_' and '\\' match themselves.
    static std::string likeEscaped(const std::string& text) {
        std::string out;
        for (char c : text) {
            if (c == '%' || c == '_' || c == '\\') out += '\\';
            out += c;
        }
        return out;
    }

    /// The whole number `text` spells, all of it ("10abc" is not one), or nothing.
    static std::optional<std::int64_t> wholeNumber(const std::string& text) {
        std::size_t used = 0;
        try {
            const std::int64_t value = std::stoll(text, &used);
            if (used == text.size()) return value;
        } catch (...) {
        }
        return std::nullopt;
    }

    /// A whole number from `min` to `max`; `fallback` when absent or null.
    static std::int64_t integer(const nlohmann::json& body, const std::string& key, std::int64_t min, std::int64_t max,
                                std::int64_t fallback, const std::string& code) {
        auto it = body.find(key);
        if (it == body.end() || it->is_null()) return fallback;
        if (!it->is_number_integer() || it->get<std::int64_t>() < min || it->get<std::int64_t>() > max)
            throw Error::invalid(code, key + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
        return *it;
    }
};

} // namespace anchang::sdk
