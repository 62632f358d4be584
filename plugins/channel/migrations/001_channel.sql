-- channel: channel companies (agency → store → agent), their agents, brokers' reports and the
-- claims that make "one protected report per customer" a key, not a look-up.
-- Times are milliseconds since the epoch.

-- kind: agency (中介), distributor (分销), platform (电商平台), internal (自渠), everyone (全民经纪人).
-- protection_mode: report_deal (报备保护), report_visit_deal (带看保护), visit_deal (到访为王).
-- hidden_formats: which hidden numbers its agents may report, e.g. ["3-4"] (前三后四), ["3-4","4-3"].
CREATE TABLE channel_companies (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    parent_id BIGINT,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    external INTEGER NOT NULL,
    protection_mode TEXT NOT NULL,
    visit_days INTEGER NOT NULL,
    deal_days INTEGER NOT NULL,
    hidden_formats TEXT NOT NULL,
    min_advance_minutes INTEGER NOT NULL,
    sms_check INTEGER NOT NULL,
    contract_from BIGINT,
    contract_until BIGINT,
    active INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (project_id, name)
);

-- An agent is a user of the kernel (a staff login, or phone:<phone> for an everyone-broker who
-- signed in with a one-time code) working for one company of the project, in a store.
CREATE TABLE channel_agents (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    user_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT,
    store TEXT,
    recruited_by BIGINT,
    active INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (project_id, user_id)
);

-- status: reported, visited, subscribed, expired, rejected (refused reports are kept too, with
-- their reason: the agent sees why). protected_until: until when it holds the customer (null: a
-- report alone holds nobody, 到访为王); code_valid_until: until when its code is taken at the desk. phone is the full number or its hidden form; phone_key
-- is what two reports of one customer share (the full number, or the hidden form).
CREATE TABLE channel_reports (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    agent_id BIGINT NOT NULL,
    customer_name TEXT NOT NULL,
    phone TEXT NOT NULL,
    phone_key TEXT NOT NULL,
    hidden_format TEXT,
    expected_visit_at BIGINT NOT NULL,
    notes TEXT NOT NULL,
    status TEXT NOT NULL,
    reason_code TEXT,
    reason TEXT,
    protection_mode TEXT NOT NULL,
    protected_until BIGINT,
    code_valid_until BIGINT NOT NULL,
    reported_at BIGINT NOT NULL,
    visited_at BIGINT,
    visit_id BIGINT,
    customer_id BIGINT,
    subscribed_at BIGINT,
    deal_id BIGINT
);
CREATE INDEX channel_reports_agent ON channel_reports (project_id, agent_id, reported_at);
CREATE INDEX channel_reports_phone ON channel_reports (project_id, phone_key);
CREATE INDEX channel_reports_customer ON channel_reports (project_id, customer_id);

-- The customer's one protecting report: each new report takes the row of its phone_key (insert,
-- or update where the holder's protection has lapsed). Two reports racing for one phone: the
-- key decides, and the loser is told who holds it.
CREATE TABLE channel_claims (
    project_id BIGINT NOT NULL,
    phone_key TEXT NOT NULL,
    report_id BIGINT NOT NULL,
    protected_until BIGINT NOT NULL,
    PRIMARY KEY (project_id, phone_key)
);

-- The key report codes are signed with: made once, kept with the data (a backup restores codes
-- already handed out), never sent anywhere.
CREATE TABLE channel_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
