#pragma once
/// anchang::Scheduler — runs the jobs plugins declare in their manifests, for every project that
/// is not archived, on the kernel's clock.
///
/// - A cron job is due at each matching minute on the project's clock (utc_offset_minutes), an
///   interval job every N seconds after its last run.
/// - Never two runs of one job for one project at once: a lease in the store (machine time,
///   renewed while the run lasts) says who runs it, so later several kernels on one database
///   share the work; a scheduled slot is claimed by its run row (unique), so it runs once.
/// - Each run is recorded: trigger, due and real times, outcome, items touched, error. A failed
///   run raises an alert for admins.
/// - After downtime a job whose slot passed runs once (trigger catch_up), not once per missed
///   slot; a run cut short by a crash is marked interrupted and caught up the same way.
/// - The kernel's clock may be a test clock: advancing it wakes the scheduler at once, so
///   nightly jobs are tested without waiting for night; setting it (a jump, maybe backwards)
///   works every job's next time out again from the recorded runs.

#include "plugin/PluginManifest.h"
#include "schedule/CronSchedule.h"

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace anchang {

class AlertCenter;
class KernelClock;
class Store;

class Scheduler {
public:
    /// Runs one job for one project; returns how many items it touched, throws with the reason
    /// when it failed.
    using Handler = std::function<std::int64_t(std::int64_t project, std::int64_t scheduledAt, const std::string& trigger)>;
    struct Project {
        std::int64_t id;
        int utcOffsetMinutes;
    };
    using ProjectList = std::function<std::vector<Project>()>;

    /// `holder` names this kernel in leases; stable across restarts of the same installation,
    /// so leases left by a killed predecessor are taken back at once.
    Scheduler(Store& store, KernelClock& clock, ProjectList projects, AlertCenter& alerts, std::string holder);
    ~Scheduler();

    void add(const std::string& plugin, const PluginManifest::Job& job, Handler handler);
    void start();
    /// Waits for running jobs to end; nothing new starts.
    void stop();

    /// Every job with, per project, its last run and its next time.
    nlohmann::json describe();
    /// The newest runs, optionally of one plugin's job and one project.
    nlohmann::json runs(const std::string& plugin, const std::string& job, std::int64_t project, int limit);
    /// Queues a run now, outside the schedule; 404 for an unknown job or project, 409 while one
    /// runs.
    void runNow(const std::string& plugin, const std::string& job, std::int64_t project, std::int64_t user);

private:
    struct Job {
        std::string plugin;
        PluginManifest::Job decl;
        std::optional<CronSchedule> cron;
        Handler handler;
    };
    using Key = std::tuple<std::string, std::string, std::int64_t>; // plugin, job, project
    struct Slot {
        std::optional<std::int64_t> next; ///< when it is due next (kernel clock)
        bool catchUp = false;             ///< the next run makes up for downtime
        bool busy = false;                ///< queued or running here
        bool scheduled = false;           ///< `next` was worked out from the recorded runs
    };
    struct Run {
        Key key;
        std::int64_t scheduledAt;
        std::string trigger;
        std::int64_t requestedBy;
    };

    const Job* find(const std::string& plugin, const std::string& job) const;
    std::optional<std::int64_t> after(const Job& job, std::int64_t at, int offset) const;
    /// The last slot at or before `now`, starting from a due one.
    std::int64_t latestDue(const Job& job, std::int64_t due, std::int64_t now, int offset) const;
    Slot firstSlot(const Job& job, std::int64_t project, std::int64_t now, int offset);
    void loop();
    void work();
    void execute(const Run& run);
    bool takeLease(const Key& key);
    void releaseLease(const Key& key);
    void recoverFromCrash();
    std::int64_t machineMs() const;

    Store& store_;
    KernelClock& clock_;
    ProjectList projects_;
    AlertCenter& alerts_;
    const std::string holder_;
    std::vector<Job> jobs_;

    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable idle_;
    std::map<Key, Slot> slots_;
    std::deque<Run> queue_;
    std::vector<std::thread> threads_;
    bool stopping_ = false;
    bool jumped_ = false; ///< the clock was set: work every slot out again from the recorded runs
    int running_ = 0;
};

} // namespace anchang
