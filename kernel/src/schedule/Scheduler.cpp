#include "schedule/Scheduler.h"

#include "alert/AlertCenter.h"
#include "anchang/sdk/Error.hpp"
#include "clock/KernelClock.h"
#include "store/Store.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>

namespace anchang {

namespace {

constexpr int kWorkers = 2;
constexpr std::int64_t kLeaseMs = 10 * 60 * 1000;
constexpr std::int64_t kRenewEveryMs = 60 * 1000;

Poco::Logger& logger() { return Poco::Logger::get("scheduler"); }

std::string text(const std::exception& e) {
    const std::string what = e.what();
    return what.empty() ? "the job failed" : what.substr(0, 2000);
}

} // namespace

Scheduler::Scheduler(Store& store, KernelClock& clock, ProjectList projects, AlertCenter& alerts, std::string holder)
    : store_(store), clock_(clock), projects_(std::move(projects)), alerts_(alerts), holder_(std::move(holder)) {
    clock_.onChange([this](bool jumped) {
        if (jumped) {
            std::lock_guard lock(mutex_);
            jumped_ = true;
        }
        wake_.notify_all();
    });
}

Scheduler::~Scheduler() { stop(); }

std::int64_t Scheduler::machineMs() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void Scheduler::add(const std::string& plugin, const PluginManifest::Job& job, Handler handler) {
    std::lock_guard lock(mutex_);
    Job j{plugin, job, std::nullopt, std::move(handler)};
    if (!job.cron.empty()) j.cron = CronSchedule::parse(job.cron);
    jobs_.push_back(std::move(j));
    wake_.notify_all();
}

const Scheduler::Job* Scheduler::find(const std::string& plugin, const std::string& job) const {
    for (const auto& j : jobs_)
        if (j.plugin == plugin && j.decl.name == job) return &j;
    return nullptr;
}

std::optional<std::int64_t> Scheduler::after(const Job& job, std::int64_t at, int offset) const {
    if (job.cron) return job.cron->next(at, offset);
    return at + job.decl.everyMs;
}

std::int64_t Scheduler::latestDue(const Job& job, std::int64_t due, std::int64_t now, int offset) const {
    if (!job.cron) return due + (now - due) / job.decl.everyMs * job.decl.everyMs;
    // Walk the slots up to now; bounded, so a per-minute job after a long outage costs little.
    for (int i = 0; i < 100000; ++i) {
        const auto following = job.cron->next(due, offset);
        if (!following || *following > now) break;
        due = *following;
    }
    return due;
}

Scheduler::Slot Scheduler::firstSlot(const Job& job, std::int64_t project, std::int64_t now, int offset) {
    Slot slot;
    const auto rows = store_.query("SELECT scheduled_at, outcome FROM kernel_job_runs WHERE plugin = ? AND job = ? AND project_id = ? "
                                   "AND trigger <> 'manual' ORDER BY scheduled_at DESC LIMIT 1",
                                   {job.plugin, job.decl.name, project})
                          .rows;
    if (rows.empty()) {
        // Never run for this project: from now on, not from the epoch.
        slot.next = after(job, now, offset);
        return slot;
    }
    const std::int64_t last = rows[0]["scheduled_at"];
    // A run cut short by a crash is due again; otherwise the slot after the last one.
    slot.next = rows[0]["outcome"] == "interrupted" ? std::optional<std::int64_t>(last) : after(job, last, offset);
    slot.catchUp = slot.next && *slot.next <= now;
    return slot;
}

void Scheduler::recoverFromCrash() {
    // Leases this installation held before it was killed are its own: take them back, and mark
    // the runs they covered as interrupted so they are caught up.
    store_.transaction([&] {
        store_.query("UPDATE kernel_job_runs SET outcome = 'interrupted', ended_at = ?, error = 'the kernel stopped during the run' "
                     "WHERE outcome = 'running' AND NOT EXISTS (SELECT 1 FROM kernel_job_leases l WHERE l.plugin = kernel_job_runs.plugin "
                     "AND l.job = kernel_job_runs.job AND l.project_id = kernel_job_runs.project_id AND l.holder <> ? AND l.expires_at >= ?)",
                     {clock_.nowMs(), holder_, machineMs()});
        store_.query("DELETE FROM kernel_job_leases WHERE holder = ? OR expires_at < ?", {holder_, machineMs()});
    });
}

void Scheduler::start() {
    recoverFromCrash();
    std::lock_guard lock(mutex_);
    stopping_ = false;
    threads_.emplace_back([this] { loop(); });
    for (int i = 0; i < kWorkers; ++i) threads_.emplace_back([this] { work(); });
}

void Scheduler::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && threads_.empty()) return;
        stopping_ = true;
        queue_.clear();
    }
    wake_.notify_all();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
}

void Scheduler::loop() {
    std::int64_t renewed = machineMs();
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        std::vector<Project> projects;
        lock.unlock();
        try {
            projects = projects_();
        } catch (const std::exception& e) {
            logger().error("cannot list the projects: %s", std::string(e.what()));
        }
        if (machineMs() - renewed > kRenewEveryMs) {
            renewed = machineMs();
            try {
                store_.query("UPDATE kernel_job_leases SET expires_at = ? WHERE holder = ?", {renewed + kLeaseMs, holder_});
            } catch (const std::exception& e) {
                logger().error("cannot renew the job leases: %s", std::string(e.what()));
            }
        }
        lock.lock();
        if (jumped_) {
            jumped_ = false;
            for (auto& [key, slot] : slots_) slot.scheduled = false;
        }
        const std::int64_t now = clock_.nowMs();
        std::optional<std::int64_t> soonest;
        for (const auto& job : jobs_) {
            for (const auto& project : projects) {
                const Key key{job.plugin, job.decl.name, project.id};
                auto it = slots_.find(key);
                if (it == slots_.end() || !it->second.scheduled) {
                    lock.unlock();
                    Slot first;
                    try {
                        first = firstSlot(job, project.id, now, project.utcOffsetMinutes);
                    } catch (const std::exception& e) {
                        logger().error("cannot read the runs of %s.%s: %s", job.plugin, job.decl.name, std::string(e.what()));
                        lock.lock();
                        continue;
                    }
                    lock.lock();
                    first.scheduled = true;
                    it = slots_.try_emplace(key).first;
                    first.busy = it->second.busy; // a manual run may have been queued meanwhile
                    it->second = first;
                }
                Slot& slot = it->second;
                if (!slot.busy && slot.next && *slot.next <= now) {
                    const std::int64_t due = latestDue(job, *slot.next, now, project.utcOffsetMinutes);
                    queue_.push_back({key, due, slot.catchUp ? "catch_up" : "schedule", 0});
                    slot.busy = true;
                    slot.catchUp = false;
                    slot.next = after(job, job.cron ? now : due, project.utcOffsetMinutes);
                    wake_.notify_all();
                }
                if (slot.next && (!soonest || *slot.next < *soonest)) soonest = *slot.next;
            }
        }
        // Wait in machine time for the soonest slot (at most a second, so projects created or
        // unarchived meanwhile are seen); a moved test clock wakes this at once.
        auto wait = std::chrono::milliseconds(1000);
        if (soonest) wait = std::clamp(std::chrono::milliseconds(*soonest - now), std::chrono::milliseconds(1), wait);
        wake_.wait_for(lock, wait);
    }
}

void Scheduler::work() {
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        const Run run = queue_.front();
        queue_.pop_front();
        ++running_;
        lock.unlock();
        execute(run);
        lock.lock();
        --running_;
        if (auto it = slots_.find(run.key); it != slots_.end()) it->second.busy = false;
        idle_.notify_all();
    }
}

bool Scheduler::takeLease(const Key& key) {
    const auto& [plugin, job, project] = key;
    const std::int64_t now = machineMs();
    return store_
               .query("INSERT INTO kernel_job_leases (plugin, job, project_id, holder, expires_at) VALUES (?, ?, ?, ?, ?) "
                      "ON CONFLICT (plugin, job, project_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at "
                      "WHERE kernel_job_leases.expires_at < ?",
                      {plugin, job, project, holder_, now + kLeaseMs, now})
               .changes == 1;
}

void Scheduler::releaseLease(const Key& key) {
    const auto& [plugin, job, project] = key;
    store_.query("DELETE FROM kernel_job_leases WHERE plugin = ? AND job = ? AND project_id = ? AND holder = ?", {plugin, job, project, holder_});
}

void Scheduler::execute(const Run& run) {
    const auto& [plugin, jobName, project] = run.key;
    Handler handler;
    {
        std::lock_guard lock(mutex_);
        const Job* job = find(plugin, jobName);
        if (!job) return;
        handler = job->handler;
    }
    std::int64_t id = 0;
    try {
        if (!takeLease(run.key)) {
            logger().information("%s.%s for project %Ld is running elsewhere; this run is left to it", plugin, jobName, project);
            return;
        }
        const auto claimed =
            store_.query("INSERT INTO kernel_job_runs (plugin, job, project_id, trigger, scheduled_at, started_at, outcome, requested_by) "
                         "VALUES (?, ?, ?, ?, ?, ?, 'running', ?) "
                         "ON CONFLICT (plugin, job, project_id, scheduled_at) WHERE trigger <> 'manual' DO UPDATE "
                         "SET trigger = 'catch_up', started_at = excluded.started_at, outcome = 'running', ended_at = NULL, error = NULL "
                         "WHERE kernel_job_runs.outcome = 'interrupted' RETURNING id",
                         {plugin, jobName, project, run.trigger, run.scheduledAt, clock_.nowMs(),
                          run.requestedBy ? nlohmann::json(run.requestedBy) : nlohmann::json(nullptr)});
        if (claimed.rows.empty()) { // this slot was run already (by another kernel)
            releaseLease(run.key);
            return;
        }
        id = claimed.rows[0]["id"];
    } catch (const std::exception& e) {
        logger().error("cannot start %s.%s for project %Ld: %s", plugin, jobName, project, std::string(e.what()));
        return;
    }

    std::int64_t items = 0;
    std::string error;
    try {
        items = handler(project, run.scheduledAt, run.trigger);
    } catch (const std::exception& e) {
        error = text(e);
    }
    try {
        store_.query("UPDATE kernel_job_runs SET ended_at = ?, outcome = ?, items = ?, error = ? WHERE id = ?",
                     {clock_.nowMs(), error.empty() ? "ok" : "failed", items, error.empty() ? nlohmann::json(nullptr) : nlohmann::json(error), id});
        releaseLease(run.key);
    } catch (const std::exception& e) {
        logger().error("cannot record the end of %s.%s: %s", plugin, jobName, std::string(e.what()));
    }
    if (!error.empty()) {
        logger().error("%s.%s for project %Ld failed: %s", plugin, jobName, project, error);
        try {
            alerts_.raise(project, {"job.failed",
                                    {{"zh-CN", "定时任务运行失败"}, {"en", "Scheduled job failed"}},
                                    {{"zh-CN", "定时任务 " + plugin + "." + jobName + " 运行失败：" + error},
                                     {"en", "Scheduled job " + plugin + "." + jobName + " failed: " + error}},
                                    {{"plugin", plugin}, {"job", jobName}, {"run_id", id}},
                                    "job:" + plugin + "." + jobName});
        } catch (const std::exception& e) {
            logger().error("cannot raise the alert: %s", std::string(e.what()));
        }
    }
}

void Scheduler::runNow(const std::string& plugin, const std::string& job, std::int64_t project, std::int64_t user) {
    std::vector<Project> projects = projects_();
    if (std::none_of(projects.begin(), projects.end(), [&](const Project& p) { return p.id == project; }))
        throw sdk::Error::notFound("project.not_found", "no such project, or it is archived: " + std::to_string(project));
    std::lock_guard lock(mutex_);
    if (!find(plugin, job)) throw sdk::Error::notFound("job.not_found", "no running plugin has the job " + plugin + "." + job);
    auto& slot = slots_[Key{plugin, job, project}];
    if (slot.busy) throw sdk::Error::conflict("job.running", "the job is running for this project; wait until it ends");
    // A slot seen for the first time here gets its schedule from the loop; the manual run
    // changes nothing of it.
    slot.busy = true;
    queue_.push_back({Key{plugin, job, project}, clock_.nowMs(), "manual", user});
    wake_.notify_all();
}

nlohmann::json Scheduler::runs(const std::string& plugin, const std::string& job, std::int64_t project, int limit) {
    std::string sql = "SELECT id, plugin, job, project_id, trigger, scheduled_at, started_at, ended_at, outcome, items, error, requested_by "
                      "FROM kernel_job_runs WHERE 1 = 1";
    nlohmann::json params = nlohmann::json::array();
    if (!plugin.empty()) {
        sql += " AND plugin = ?";
        params.push_back(plugin);
    }
    if (!job.empty()) {
        sql += " AND job = ?";
        params.push_back(job);
    }
    if (project > 0) {
        sql += " AND project_id = ?";
        params.push_back(project);
    }
    sql += " ORDER BY id DESC LIMIT ?";
    params.push_back(std::clamp(limit, 1, 500));
    return store_.query(sql, params).rows;
}

nlohmann::json Scheduler::describe() {
    std::vector<Project> projects = projects_();
    nlohmann::json out = nlohmann::json::array();
    std::vector<Job> jobs;
    std::map<Key, Slot> slots;
    {
        std::lock_guard lock(mutex_);
        jobs = jobs_;
        slots = slots_;
    }
    // Every job's last run for every project in one query (the console polls this).
    std::map<Key, nlohmann::json> lastRuns;
    auto newest = store_.query("SELECT r.id, r.plugin, r.job, r.project_id, r.trigger, r.scheduled_at, r.started_at, r.ended_at, r.outcome, "
                               "r.items, r.error, r.requested_by FROM kernel_job_runs r JOIN (SELECT MAX(id) AS id FROM kernel_job_runs "
                               "GROUP BY plugin, job, project_id) latest ON latest.id = r.id")
                      .rows;
    for (auto& row : newest) {
        Key key{row["plugin"].get<std::string>(), row["job"].get<std::string>(), row["project_id"].get<std::int64_t>()};
        lastRuns[std::move(key)] = std::move(row);
    }
    for (const auto& job : jobs) {
        nlohmann::json perProject = nlohmann::json::array();
        for (const auto& project : projects) {
            const Key key{job.plugin, job.decl.name, project.id};
            const auto last = lastRuns.find(key);
            const auto it = slots.find(key);
            perProject.push_back({{"project_id", project.id},
                                  {"last_run", last == lastRuns.end() ? nlohmann::json(nullptr) : last->second},
                                  {"next_at", it != slots.end() && it->second.next ? nlohmann::json(*it->second.next) : nlohmann::json(nullptr)},
                                  {"running", it != slots.end() && it->second.busy}});
        }
        out.push_back({{"plugin", job.plugin},
                       {"job", job.decl.name},
                       {"description", job.decl.description},
                       {"schedule", job.cron ? nlohmann::json(job.decl.cron) : nlohmann::json(nullptr)},
                       {"every_seconds", job.cron ? nlohmann::json(nullptr) : nlohmann::json(job.decl.everyMs / 1000)},
                       {"projects", perProject}});
    }
    return out;
}

} // namespace anchang
