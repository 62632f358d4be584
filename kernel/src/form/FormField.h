#pragma once
/// anchang::FormField — one field of a form: a base field a plugin declares in plugin.json, or
/// a custom field a project adds ("意向楼栋").
///
///   {"key": "intended_building", "label": {"zh-CN": "意向楼栋", "en": "Building of interest"},
///    "schema": {"type": "string", "enum": ["1号楼", "2号楼", "3号楼"]}, "required": true, "order": 10}

#include <nlohmann/json.hpp>

#include <string>

namespace anchang {

struct FormField {
    std::string key;
    nlohmann::json label = nlohmann::json::object();
    nlohmann::json schema = nlohmann::json::object();
    bool required = false;
    int order = 100;

    /// Reads and checks a field definition; throws std::invalid_argument with the problem.
    static FormField parse(const nlohmann::json& definition);
    nlohmann::json toJson() const;
};

} // namespace anchang
