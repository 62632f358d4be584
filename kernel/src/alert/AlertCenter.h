#pragma once
/// anchang::AlertCenter — things someone must hear about now: a project script switched off after
/// repeated failures, a scheduled job that failed, a visitor nobody is on duty to receive. Stored
/// until acknowledged or resolved, shown in the console's bell, published on the bus as
/// `kernel.alert` for notifiers and pushed to the browsers of whoever may read the project's
/// alerts (`kernel.alerts` events: raised, closed), so a manager's bell rings at once instead of
/// at its next poll.
///
/// Every alert carries its title in both languages: a bell that shows "registration.queued"
/// tells a manager nothing.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace anchang {

class BusClient;
class Store;

class AlertCenter {
public:
    struct Alert {
        std::string kind;       ///< "job.failed", "registration.queued": the raiser's code
        nlohmann::json title;   ///< {"zh-CN","en"}: the kind in words
        nlohmann::json message; ///< {"zh-CN","en"}: this occurrence
        nlohmann::json detail = nlohmann::json::object();
        std::string subject; ///< what it is about, for resolve(); may be empty
    };

    AlertCenter(Store& store, BusClient& bus) : store_(store), bus_(bus) {}

    std::int64_t raise(std::int64_t project, const Alert& alert);
    /// Closes the open alerts of `kind` about `subject` (what they reported was dealt with);
    /// returns how many.
    int resolve(std::int64_t project, const std::string& kind, const std::string& subject);
    /// Open alerts (or every alert with `all`), newest first; one project or all.
    nlohmann::json list(std::int64_t project, bool all);
    /// Marks an alert seen; with `project`, only an alert of that project (404 otherwise).
    void acknowledge(std::int64_t id, std::int64_t userId, std::int64_t project = 0);

private:
    /// Tells the project's open consoles that its alerts changed.
    void push(std::int64_t project, const std::string& event, const nlohmann::json& data);

    Store& store_;
    BusClient& bus_;
};

} // namespace anchang
