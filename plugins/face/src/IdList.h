#pragma once
/// IdList — the placeholders and parameters of a statement's `IN (…)` over some ids, so that
/// many rows are read, locked or deleted in one statement instead of one each.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace anchang::face {

struct IdList {
    std::string marks;     ///< "?, ?, ?"
    nlohmann::json params; ///< the leading parameters given, then the ids

    static IdList of(const std::vector<std::int64_t>& ids, nlohmann::json leading = nlohmann::json::array()) {
        IdList out{{}, std::move(leading)};
        for (const auto id : ids) {
            out.marks += out.marks.empty() ? "?" : ", ?";
            out.params.push_back(id);
        }
        return out;
    }
};

}  // namespace anchang::face
