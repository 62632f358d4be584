#pragma once
/// anchang::HookCatalog — the hook points and script helpers of the running plugins.
///
/// Filled as each plugin starts; read by the script API, the hook runner and the dry run.

#include "plugin/PluginManifest.h"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

namespace anchang {

class HookCatalog {
public:
    struct Entry {
        std::string plugin;
        PluginManifest::HookPoint point;
    };
    struct Helper {
        std::string plugin;
        PluginManifest::ScriptHelper helper;
    };

    void add(const PluginManifest& manifest);

    /// Shared, so a hook call reads the point's shapes without copying them.
    std::shared_ptr<const Entry> find(const std::string& hook) const;
    std::optional<Helper> helper(const std::string& name) const;
    std::vector<std::string> helperNames() const;

    /// For GET /api/v1/hooks: every point with its shapes, sample and default script, and the
    /// helpers scripts may call.
    nlohmann::json describe() const;

private:
    mutable std::shared_mutex mutex_;
    std::map<std::string, std::shared_ptr<const Entry>> hooks_;
    std::map<std::string, Helper> helpers_;
};

} // namespace anchang
