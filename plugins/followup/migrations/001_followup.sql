-- followup: customer profiles, follow-up records, tasks, the owner's clock and rulings.
-- Times are milliseconds since the epoch.

-- The customer 360's own part (core keeps name, phones, owner, source and protection).
CREATE TABLE followup_profiles (
    project_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    household TEXT NOT NULL DEFAULT '',
    motive TEXT NOT NULL DEFAULT '',
    finances TEXT NOT NULL DEFAULT '',
    focus TEXT NOT NULL DEFAULT '',
    resistance TEXT NOT NULL DEFAULT '',
    grade TEXT,
    graded_at BIGINT,
    updated_by BIGINT,
    updated_at BIGINT,
    UNIQUE (project_id, customer_id)
);

-- method: phone, wechat, visit, other. valid: counted for the protection clock (content long
-- enough); extended_to: the protection end it gave, null when it moved nothing.
CREATE TABLE followup_records (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    consultant_id BIGINT NOT NULL,
    consultant_name TEXT NOT NULL,
    method TEXT NOT NULL,
    template TEXT,
    content TEXT NOT NULL,
    grade_before TEXT,
    grade_after TEXT,
    next_contact_at BIGINT,
    valid INTEGER NOT NULL,
    extended_to BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX followup_records_customer ON followup_records (project_id, customer_id, created_at);
CREATE INDEX followup_records_consultant ON followup_records (project_id, consultant_id, created_at);

-- kind: first_callback (24 h after a new customer or a handover), revisit (grade A: 3 days),
-- weekly (grade B: Monday's list), monthly (grade C: the month's list), next_contact (the time
-- the consultant set), after_contact (a follow-up owed after a visit, when the project asks).
-- status: open, done, cancelled. period: the week or month a list task belongs to, or the
-- record/visit it came from, so a job or an event delivered twice makes one task.
CREATE TABLE followup_tasks (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    consultant_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    period TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    done_at BIGINT,
    record_id BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (project_id, customer_id, kind, period)
);
CREATE INDEX followup_tasks_consultant ON followup_tasks (project_id, consultant_id, status, due_at);

-- Since when the owner has the customer: the hard maximum of the protection counts from here.
CREATE TABLE followup_owners (
    project_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    owner_id BIGINT NOT NULL,
    since BIGINT NOT NULL,
    UNIQUE (project_id, customer_id)
);

-- 判客: a supervisor's case on who owns a customer. evidence: the customer's timeline when the
-- case opened, kept as it was. status: open, decided.
CREATE TABLE followup_rulings (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    owner_id BIGINT,
    claimant_id BIGINT NOT NULL,
    reason TEXT NOT NULL,
    evidence TEXT NOT NULL,
    status TEXT NOT NULL,
    opened_by BIGINT NOT NULL,
    opened_at BIGINT NOT NULL,
    winner_id BIGINT,
    note TEXT,
    decided_by BIGINT,
    decided_at BIGINT
);
CREATE INDEX followup_rulings_customer ON followup_rulings (project_id, customer_id, status);
