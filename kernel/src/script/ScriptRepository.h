#pragma once
/// anchang::ScriptRepository — project scripts, their versions and their log, in the store.
///
/// A script belongs to one project and one hook point; its source changes only by adding a
/// version (author, time, comment), so every rule that ever ran can be read back. At most one
/// version is active; `previous_version` remembers the one before for rollback. Deleting hides
/// the script and keeps its versions. The active set per (project, hook) is cached and the
/// cache is dropped on every change through this class.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace anchang {

class Store;

class ScriptRepository {
public:
    struct Active {
        std::int64_t id = 0;
        std::int64_t version = 0;
        std::string name;
        std::string source;
        int failures = 0;
    };
    struct Author {
        std::int64_t id = 0;
        std::string name;
    };

    explicit ScriptRepository(Store& store) : store_(store) {}

    /// A script's name and position as given on create or change; 400 script.invalid otherwise.
    static std::string checkedName(const nlohmann::json& value);
    static int checkedPosition(const nlohmann::json& value);

    std::int64_t create(std::int64_t project, const std::string& hook, const std::string& name, int position,
                        const std::string& source, const std::string& comment, const Author& author);
    std::int64_t addVersion(std::int64_t project, std::int64_t id, const std::string& source, const std::string& comment,
                            const Author& author);
    /// The script with its versions (without sources). 404 script.not_found.
    nlohmann::json get(std::int64_t project, std::int64_t id);
    std::string source(std::int64_t project, std::int64_t id, std::int64_t version);
    nlohmann::json list(std::int64_t project);
    void update(std::int64_t project, std::int64_t id, const nlohmann::json& body);

    /// Makes `version` the active one and clears failures and a switch-off. Returns the version
    /// that was active before (0 for none).
    std::int64_t activate(std::int64_t project, std::int64_t id, std::int64_t version);
    std::int64_t deactivate(std::int64_t project, std::int64_t id);
    /// Activates the version that was active before the current one; 409 when there is none.
    std::pair<std::int64_t, std::int64_t> rollback(std::int64_t project, std::int64_t id);
    void remove(std::int64_t project, std::int64_t id);

    /// The enabled, active scripts on a hook point, in their declared order.
    /// Shared with the cache: a hook call reads the sources without copying them.
    std::shared_ptr<const std::vector<Active>> active(std::int64_t project, const std::string& hook);
    /// Counts a failure; returns the consecutive count.
    int failed(std::int64_t project, std::int64_t id);
    void succeeded(std::int64_t project, std::int64_t id);
    /// Switches a script off after repeated failures.
    void switchOff(std::int64_t project, std::int64_t id, const std::string& reason);

    void log(std::int64_t project, std::int64_t id, std::int64_t version, const std::string& hook, const std::string& level,
             const std::string& message);
    nlohmann::json logs(std::int64_t project, std::optional<std::int64_t> before, int limit);

private:
    nlohmann::json row(std::int64_t project, std::int64_t id);
    void invalidate(std::int64_t project);

    Store& store_;
    std::mutex mutex_;
    std::map<std::pair<std::int64_t, std::string>, std::shared_ptr<const std::vector<Active>>> cache_;
};

} // namespace anchang
