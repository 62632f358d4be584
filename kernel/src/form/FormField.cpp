#include "form/FormField.h"

#include "form/JsonSchemaSubset.h"

#include <regex>
#include <stdexcept>

namespace anchang {

FormField FormField::parse(const nlohmann::json& definition) {
    static const std::regex keyPattern("[a-z][a-z0-9_]{0,39}");
    if (!definition.is_object()) throw std::invalid_argument("a field must be an object");
    FormField field;
    const auto key = definition.find("key");
    if (key == definition.end() || !key->is_string() || !std::regex_match(key->get<std::string>(), keyPattern))
        throw std::invalid_argument("a field key must be 1-40 lower-case letters, digits or _, starting with a letter");
    field.key = *key;
    const auto label = definition.find("label");
    if (label == definition.end() || !label->is_object() || !label->contains("zh-CN") || !(*label)["zh-CN"].is_string())
        throw std::invalid_argument("field " + field.key + " needs a label with at least \"zh-CN\"");
    for (const auto& [lang, text] : label->items())
        if (!text.is_string() || text.get<std::string>().size() > 200)
            throw std::invalid_argument("field " + field.key + ": labels must be short strings");
    field.label = *label;
    const auto schema = definition.find("schema");
    if (schema == definition.end() || !schema->is_object())
        throw std::invalid_argument("field " + field.key + " needs a schema object");
    const auto problems = JsonSchemaSubset::check(*schema);
    if (!problems.empty()) throw std::invalid_argument("field " + field.key + " schema" + problems.front());
    if (schema->contains("properties") || schema->contains("items") || schema->contains("required"))
        throw std::invalid_argument("field " + field.key + ": a field holds one value; use \"required\" on the field itself");
    field.schema = *schema;
    if (definition.contains("required")) {
        if (!definition["required"].is_boolean()) throw std::invalid_argument("field " + field.key + ": required must be true or false");
        field.required = definition["required"];
    }
    if (definition.contains("order")) {
        if (!definition["order"].is_number_integer()) throw std::invalid_argument("field " + field.key + ": order must be an integer");
        field.order = definition["order"];
    }
    return field;
}

nlohmann::json FormField::toJson() const {
    return {{"key", key}, {"label", label}, {"schema", schema}, {"required", required}, {"order", order}};
}

} // namespace anchang
