#include "auth/RoleCatalog.h"

#include <algorithm>
#include <mutex>

namespace anchang {

RoleCatalog::RoleCatalog() { roles_.push_back({kAdmin, {{"zh-CN", "系统管理员"}, {"en", "Administrator"}}, "kernel"}); }

void RoleCatalog::declare(const std::string& role, const nlohmann::json& label, const std::string& owner) {
    std::unique_lock lock(mutex_);
    auto it = std::find_if(roles_.begin(), roles_.end(), [&](const Role& r) { return r.name == role; });
    if (it == roles_.end()) roles_.push_back({role, label, owner});
    else if (it->label.is_null() && !label.is_null()) *it = {role, label, owner};
}

bool RoleCatalog::known(const std::string& role) const {
    std::shared_lock lock(mutex_);
    return std::any_of(roles_.begin(), roles_.end(), [&](const Role& r) { return r.name == role; });
}

std::vector<std::string> RoleCatalog::names() const {
    std::shared_lock lock(mutex_);
    std::vector<std::string> out;
    for (const auto& role : roles_) out.push_back(role.name);
    return out;
}

nlohmann::json RoleCatalog::describe() const {
    std::shared_lock lock(mutex_);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& role : roles_)
        out.push_back({{"name", role.name}, {"label", role.label.is_null() ? nlohmann::json{{"zh-CN", role.name}, {"en", role.name}} : role.label},
                       {"owner", role.owner}});
    return out;
}

} // namespace anchang
