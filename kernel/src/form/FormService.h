#pragma once
/// anchang::FormService — the forms plugins show, and the fields each project adds to them.
///
/// A plugin declares a form and its base fields in plugin.json; a project adds custom fields
/// (a JSON Schema subset, labels in zh-CN and en, an order, required or not). When a record is
/// submitted the plugin checks its base fields itself and asks this service to validate the
/// rest: custom values are checked against their schemas and normalized (phone numbers), keys
/// that are neither base nor custom are refused, and the form's validation hook (if declared)
/// may add cross-field rules or veto.

#include "form/FormField.h"
#include "plugin/PluginManifest.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

namespace anchang {

class HookRunner;
class Store;

class FormService {
public:
    FormService(Store& store, HookRunner& hooks) : store_(store), hooks_(hooks) {}

    /// Called as each plugin starts.
    void add(const std::string& plugin, const PluginManifest::Form& form);

    /// Every declared form: id, plugin, name, base fields.
    nlohmann::json list() const;
    /// The form as a project shows it: base and custom fields in order.
    nlohmann::json definition(std::int64_t project, const std::string& form);
    /// Replaces the project's custom fields; 400 with the first problem.
    nlohmann::json setCustomFields(std::int64_t project, const std::string& form, const nlohmann::json& fields,
                                   std::int64_t userId);

    /// {"ok":true,"values":{custom key: normalized value}} or {"ok":false,"errors":[{"field","code","message"}]},
    /// or {"ok":false,"vetoed":true,"message"} when the validation hook refused.
    nlohmann::json validate(std::int64_t project, const std::string& form, const nlohmann::json& values);

private:
    struct Declared {
        std::string plugin;
        PluginManifest::Form form;
    };
    std::shared_ptr<const Declared> declared(const std::string& form) const;
    /// The project's custom fields, read from the store once and kept until they are replaced:
    /// every registration validates its form, and the fields were checked when they were saved.
    std::shared_ptr<const std::vector<FormField>> customFields(std::int64_t project, const std::string& form);

    Store& store_;
    HookRunner& hooks_;
    mutable std::shared_mutex mutex_;
    std::map<std::string, std::shared_ptr<const Declared>> forms_;
    std::map<std::pair<std::int64_t, std::string>, std::shared_ptr<const std::vector<FormField>>> custom_;
};

} // namespace anchang
