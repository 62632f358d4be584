#include "script/HookCatalog.h"

#include <algorithm>
#include <mutex>

namespace anchang {

void HookCatalog::add(const PluginManifest& manifest) {
    std::unique_lock lock(mutex_);
    for (const auto& point : manifest.hooks) hooks_[point.name] = std::make_shared<const Entry>(Entry{manifest.id, point});
    for (const auto& helper : manifest.helpers) helpers_[helper.name] = {manifest.id, helper};
}

std::shared_ptr<const HookCatalog::Entry> HookCatalog::find(const std::string& hook) const {
    std::shared_lock lock(mutex_);
    auto it = hooks_.find(hook);
    return it == hooks_.end() ? nullptr : it->second;
}

std::optional<HookCatalog::Helper> HookCatalog::helper(const std::string& name) const {
    std::shared_lock lock(mutex_);
    auto it = helpers_.find(name);
    if (it == helpers_.end()) return std::nullopt;
    return it->second;
}

std::vector<std::string> HookCatalog::helperNames() const {
    std::shared_lock lock(mutex_);
    std::vector<std::string> names;
    for (const auto& [name, helper] : helpers_) names.push_back(name);
    return names;
}

nlohmann::json HookCatalog::describe() const {
    std::shared_lock lock(mutex_);
    std::vector<const Entry*> ordered;
    for (const auto& [name, entry] : hooks_) ordered.push_back(entry.get());
    std::stable_sort(ordered.begin(), ordered.end(), [](const Entry* a, const Entry* b) {
        return a->plugin != b->plugin ? a->plugin < b->plugin : a->point.order < b->point.order;
    });
    nlohmann::json hooks = nlohmann::json::array();
    for (const Entry* entry : ordered) {
        const auto& p = entry->point;
        hooks.push_back({{"name", p.name}, {"plugin", entry->plugin}, {"order", p.order}, {"description", p.description},
                         {"input", p.input}, {"output", p.output}, {"sample", p.sample}, {"default_source", p.defaultSource},
                         {"timeout_ms", p.timeoutMs}});
    }
    nlohmann::json helpers = nlohmann::json::array();
    for (const auto& [name, h] : helpers_)
        helpers.push_back({{"name", name}, {"plugin", h.plugin}, {"service", h.helper.service}, {"description", h.helper.description}});
    return {{"hooks", hooks}, {"helpers", helpers}};
}

} // namespace anchang
