#pragma once
/// anchang::AlertCenter — things an admin must hear about: a project script switched off after
/// repeated failures, and whatever plugins raise later. Stored until acknowledged, shown in the
/// admin console, and published on the bus as `kernel.alert` for notifiers.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace anchang {

class BusClient;
class Store;

class AlertCenter {
public:
    AlertCenter(Store& store, BusClient& bus) : store_(store), bus_(bus) {}

    /// `message` is {"zh-CN","en"}.
    std::int64_t raise(std::int64_t project, const std::string& kind, const nlohmann::json& message, const nlohmann::json& detail);
    /// Open alerts (or every alert with `all`), newest first; one project or all.
    nlohmann::json list(std::int64_t project, bool all);
    /// Marks an alert seen; with `project`, only an alert of that project (404 otherwise).
    void acknowledge(std::int64_t id, std::int64_t userId, std::int64_t project = 0);

private:
    Store& store_;
    BusClient& bus_;
};

} // namespace anchang
