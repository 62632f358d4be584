#pragma once
/// anchang::sdk::Json — the one way JSON text from outside is read, in the kernel and in plugins.
///
/// nlohmann's parser itself is iterative, but much of what follows a parse (dump, copy, compare,
/// Duktape's decoder) recurses once per level: 70,000 nested brackets in a 140 KB body overflowed
/// a worker's stack and ended the server. Text nested deeper than kMaxDepth is therefore refused
/// before it is parsed, wherever JSON enters: HTTP bodies, bus frames, values a plugin hands the
/// kernel, a script's answer. docs/http.md lists the limit.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string_view>

namespace anchang::sdk {

class Json {
public:
    /// Arrays and objects may nest this deep; the deepest legitimate document (a hook's JSON
    /// Schema) uses about ten levels.
    static constexpr int kMaxDepth = 64;

    /// Whether `text` nests arrays and objects at most `maxDepth` deep. Brackets inside strings
    /// do not count. Linear and allocation-free; says nothing about whether the text is JSON.
    static bool withinDepth(std::string_view text, int maxDepth = kMaxDepth) noexcept {
        int depth = 0;
        bool inString = false;
        for (std::size_t i = 0; i < text.size(); ++i) {
            const char c = text[i];
            if (inString) {
                if (c == '\\') ++i;
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"') inString = true;
            else if (c == '[' || c == '{') {
                if (++depth > maxDepth) return false;
            } else if (c == ']' || c == '}') {
                --depth;
            }
        }
        return true;
    }

    /// The parsed value, or a discarded value (`is_discarded()`) when `text` is not JSON or is
    /// nested too deep. Never throws.
    static nlohmann::json parse(std::string_view text) noexcept {
        if (!withinDepth(text)) return nlohmann::json(nlohmann::json::value_t::discarded);
        try {
            return nlohmann::json::parse(text, nullptr, false);
        } catch (...) {
            return nlohmann::json(nlohmann::json::value_t::discarded);
        }
    }

    /// Whether `text` is JSON this class would parse.
    static bool accept(std::string_view text) noexcept { return withinDepth(text) && nlohmann::json::accept(text); }
};

} // namespace anchang::sdk
