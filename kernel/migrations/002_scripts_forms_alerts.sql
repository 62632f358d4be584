-- Project scripts (hooks) with their versions and log, projects' custom form fields, and alerts
-- for the admins.

CREATE TABLE scripts (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES projects (id),
    hook TEXT NOT NULL,
    name TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 100,
    active_version BIGINT,
    previous_version BIGINT,
    failures INTEGER NOT NULL DEFAULT 0,
    disabled_reason TEXT,
    deleted_at BIGINT,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX scripts_project_hook ON scripts (project_id, hook);

CREATE TABLE script_versions (
    script_id BIGINT NOT NULL REFERENCES scripts (id),
    version BIGINT NOT NULL,
    source TEXT NOT NULL,
    comment TEXT NOT NULL,
    author_id BIGINT NOT NULL,
    author_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (script_id, version)
);

CREATE TABLE script_log (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    script_id BIGINT,
    version BIGINT,
    hook TEXT NOT NULL,
    level TEXT NOT NULL,
    message TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX script_log_project ON script_log (project_id, id);

CREATE TABLE form_fields (
    project_id BIGINT NOT NULL REFERENCES projects (id),
    form TEXT NOT NULL,
    fields TEXT NOT NULL,
    updated_by BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, form)
);

CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL DEFAULT 0,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    acknowledged_by BIGINT,
    acknowledged_at BIGINT
);
CREATE INDEX alerts_open ON alerts (acknowledged_at, project_id);
