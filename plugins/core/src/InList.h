#pragma once
// Many ids in a few statements: an IN list of sixteen placeholders, the last chunk padded with
// its last value (IN does not mind a value twice), so a batch of any size uses one prepared
// statement. Opening day's subscriptions come this way, hundreds at a time.

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

namespace anchang::core {

constexpr std::size_t kInList = 16;

/// "(?, ?, …)" with kInList placeholders.
inline const std::string& inList() {
    static const std::string text = [] {
        std::string out = "(";
        for (std::size_t i = 0; i < kInList; ++i) out += i ? ", ?" : "?";
        return out + ")";
    }();
    return text;
}

/// Appends the chunk of `values` starting at `at` to `params`, padded to kInList.
template <typename Value>
void appendInList(nlohmann::json& params, const std::vector<Value>& values, std::size_t at) {
    for (std::size_t i = 0; i < kInList; ++i) params.push_back(values[std::min(at + i, values.size() - 1)]);
}

} // namespace anchang::core
