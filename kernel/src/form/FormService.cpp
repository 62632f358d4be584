#include "form/FormService.h"

#include "anchang/sdk/Error.hpp"
#include "bus/BusProtocol.h"
#include "form/JsonSchemaSubset.h"
#include "script/HookRunner.h"
#include "store/Store.h"

#include <algorithm>
#include <mutex>
#include <set>

namespace anchang {

namespace {

nlohmann::json fieldsJson(const std::vector<FormField>& fields) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& field : fields) out.push_back(field.toJson());
    return out;
}

void sortByOrder(std::vector<FormField>& fields) {
    std::stable_sort(fields.begin(), fields.end(), [](const FormField& a, const FormField& b) { return a.order < b.order; });
}

/// Whether any string in `value` holds a NUL: C code, logs and CSV exports cut text there.
bool hasNul(const nlohmann::json& value) {
    if (value.is_string()) return value.get_ref<const std::string&>().find('\0') != std::string::npos;
    if (value.is_structured())
        for (const auto& item : value) if (hasNul(item)) return true;
    if (value.is_object())
        for (const auto& [key, item] : value.items()) if (key.find('\0') != std::string::npos) return true;
    return false;
}

/// One error message per violation, in both languages the UI speaks.
nlohmann::json error(const std::string& field, const std::string& code, const std::string& zh, const std::string& en) {
    return {{"field", field}, {"code", code}, {"message", {{"zh-CN", zh}, {"en", en}}}};
}

} // namespace

void FormService::add(const std::string& plugin, const PluginManifest::Form& form) {
    std::unique_lock lock(mutex_);
    forms_[form.id] = std::make_shared<const Declared>(Declared{plugin, form});
}

std::shared_ptr<const FormService::Declared> FormService::declared(const std::string& form) const {
    std::shared_lock lock(mutex_);
    auto it = forms_.find(form);
    if (it == forms_.end()) throw sdk::Error::notFound("form.not_found", "no form " + form);
    return it->second;
}

nlohmann::json FormService::list() const {
    std::shared_lock lock(mutex_);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [id, d] : forms_)
        out.push_back({{"id", id}, {"plugin", d->plugin}, {"name", d->form.name}, {"fields", fieldsJson(d->form.fields)},
                       {"validate_hook", d->form.validateHook}});
    return out;
}

std::shared_ptr<const std::vector<FormField>> FormService::customFields(std::int64_t project, const std::string& form) {
    {
        std::shared_lock lock(mutex_);
        if (auto it = custom_.find({project, form}); it != custom_.end()) return it->second;
    }
    auto fields = std::make_shared<std::vector<FormField>>();
    auto rows = store_.query("SELECT fields FROM form_fields WHERE project_id = ? AND form = ?", {project, form}).rows;
    if (!rows.empty())
        for (const auto& definition : nlohmann::json::parse(rows[0]["fields"].get<std::string>())) fields->push_back(FormField::parse(definition));
    sortByOrder(*fields);
    std::unique_lock lock(mutex_);
    return custom_.try_emplace({project, form}, std::move(fields)).first->second;
}

nlohmann::json FormService::definition(std::int64_t project, const std::string& form) {
    const auto d = declared(form);
    auto base = d->form.fields;
    sortByOrder(base);
    return {{"id", form}, {"plugin", d->plugin}, {"name", d->form.name}, {"base_fields", fieldsJson(base)},
            {"custom_fields", fieldsJson(*customFields(project, form))}, {"validate_hook", d->form.validateHook}};
}

nlohmann::json FormService::setCustomFields(std::int64_t project, const std::string& form, const nlohmann::json& fields,
                                            std::int64_t userId) {
    std::set<std::string> taken;
    for (const auto& field : declared(form)->form.fields) taken.insert(field.key);
    if (!fields.is_array()) throw sdk::Error::invalid("form.invalid", "fields must be a list");
    if (fields.size() > 50) throw sdk::Error::invalid("form.invalid", "a form can have at most 50 custom fields");
    std::vector<FormField> parsed;
    for (const auto& definition : fields) {
        try {
            parsed.push_back(FormField::parse(definition));
        } catch (const std::invalid_argument& e) {
            throw sdk::Error::invalid("form.invalid", e.what());
        }
        if (!taken.insert(parsed.back().key).second)
            throw sdk::Error::invalid("form.duplicate_field", "field " + parsed.back().key + " already exists on this form");
    }
    store_.query("INSERT INTO form_fields (project_id, form, fields, updated_by, updated_at) VALUES (?, ?, ?, ?, ?) "
                 "ON CONFLICT (project_id, form) DO UPDATE SET fields = excluded.fields, updated_by = excluded.updated_by, "
                 "updated_at = excluded.updated_at",
                 {project, form, fieldsJson(parsed).dump(), userId, BusProtocol::nowMs()});
    sortByOrder(parsed);
    {
        std::unique_lock lock(mutex_);
        custom_[{project, form}] = std::make_shared<const std::vector<FormField>>(std::move(parsed));
    }
    return definition(project, form);
}

nlohmann::json FormService::validate(std::int64_t project, const std::string& form, const nlohmann::json& values) {
    const auto d = declared(form);
    if (!values.is_object()) throw sdk::Error::invalid("form.invalid", "values must be an object");
    const auto customShared = customFields(project, form);
    const auto& custom = *customShared;
    std::set<std::string> known;
    for (const auto& field : d->form.fields) known.insert(field.key);
    for (const auto& field : custom) known.insert(field.key);

    nlohmann::json errors = nlohmann::json::array();
    nlohmann::json accepted = nlohmann::json::object();
    for (const auto& [key, value] : values.items()) {
        if (!known.count(key)) errors.push_back(error(key, "form.unknown_field", "没有这个字段", "no such field on this form"));
        else if (hasNul(value)) errors.push_back(error(key, "form.invalid_text", "含有无效字符", "contains a NUL character"));
    }
    // Base and custom fields alike are checked against their schemas before the project's
    // validation hook sees them: a rule written for a text budget must never be handed an
    // object (a consultant once switched a manager's rule off by making it throw so).
    const auto check = [&](const FormField& field) -> const nlohmann::json* {
        const std::string zhLabel = field.label.value("zh-CN", field.key);
        const std::string enLabel = field.label.value("en", field.key);
        auto it = values.find(field.key);
        if (it == values.end() || it->is_null() || (it->is_string() && it->get<std::string>().empty())) {
            if (field.required) errors.push_back(error(field.key, "form.required", zhLabel + "为必填项", enLabel + " is required"));
            return nullptr;
        }
        const auto violations = JsonSchemaSubset::validate(field.schema, *it);
        if (!violations.empty()) {
            errors.push_back(error(field.key, "form." + violations[0].keyword, zhLabel + "填写不正确",
                                   enLabel + " " + violations[0].message));
            return nullptr;
        }
        return &*it;
    };
    for (const auto& field : d->form.fields) check(field);
    for (const auto& field : custom) {
        const nlohmann::json* value = check(field);
        if (!value) continue;
        accepted[field.key] = field.schema.value("format", "") == "phone" ? nlohmann::json(JsonSchemaSubset::normalizePhone(value->get<std::string>()))
                                                                         : *value;
    }
    if (!errors.empty()) return {{"ok", false}, {"errors", errors}};

    if (!d->form.validateHook.empty()) {
        auto hook = hooks_.call(project, d->form.validateHook, {{"form", form}, {"values", values}}, d->plugin);
        if (hook["vetoed"]) return {{"ok", false}, {"vetoed", true}, {"message", hook["message"]}};
        const nlohmann::json& output = hook["output"];
        if (output.is_object() && output.contains("errors") && output["errors"].is_array() && !output["errors"].empty()) {
            for (const auto& e : output["errors"]) {
                const std::string message = e.is_object() ? e.value("message", std::string("invalid")) : e.dump();
                errors.push_back(error(e.is_object() ? e.value("field", std::string{}) : std::string{}, "form.rule", message, message));
            }
            return {{"ok", false}, {"errors", errors}};
        }
    }
    return {{"ok", true}, {"values", accepted}};
}

} // namespace anchang
