-- The project's clock and the scheduler (docs/plugins.md, "Scheduled jobs").
--
-- A project's sales office keeps its own wall clock: "today", daily reports and nightly jobs
-- follow it. A fixed offset from UTC is enough for mainland China (UTC+8 all year, no daylight
-- saving); 480 is the default.
ALTER TABLE projects ADD COLUMN utc_offset_minutes INTEGER NOT NULL DEFAULT 480;

-- One row per run of a plugin's job for a project: when it was due (scheduled_at, on the
-- kernel's clock), when it really ran, and how it ended. A scheduled slot is run once: the
-- unique index makes the row itself the claim, so later several kernels on one database cannot
-- both run it. Manual runs ("run now") are outside the index.
CREATE TABLE kernel_job_runs (
    id INTEGER PRIMARY KEY,
    plugin TEXT NOT NULL,
    job TEXT NOT NULL,
    project_id BIGINT NOT NULL,
    trigger TEXT NOT NULL,          -- schedule, catch_up, manual
    scheduled_at BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT,
    outcome TEXT NOT NULL,          -- running, ok, failed, interrupted
    items BIGINT NOT NULL DEFAULT 0,
    error TEXT,
    requested_by BIGINT
);
CREATE UNIQUE INDEX kernel_job_runs_slot ON kernel_job_runs (plugin, job, project_id, scheduled_at) WHERE trigger <> 'manual';
CREATE INDEX kernel_job_runs_recent ON kernel_job_runs (plugin, job, project_id, id);

-- Who is running a job for a project right now, until when (machine time, renewed while it
-- runs): never two runs of one job for one project at once, whichever kernel starts them.
CREATE TABLE kernel_job_leases (
    plugin TEXT NOT NULL,
    job TEXT NOT NULL,
    project_id BIGINT NOT NULL,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (plugin, job, project_id)
);
