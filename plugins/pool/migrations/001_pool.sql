-- pool: defeats (战败), the pool's entries (公海) and claims (捞取). Times are milliseconds.

-- status: pending, approved (the customer entered the pool), rejected, extended (the
-- supervisor gave the consultant more time instead).
CREATE TABLE pool_defeats (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    consultant_id BIGINT NOT NULL,
    reason_id TEXT NOT NULL,
    note TEXT NOT NULL,
    status TEXT NOT NULL,
    supervisor_id BIGINT,
    opinion TEXT,
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
CREATE INDEX pool_defeats_status ON pool_defeats (project_id, status, created_at);
CREATE UNIQUE INDEX pool_defeats_pending ON pool_defeats (project_id, customer_id) WHERE status = 'pending';

-- reason: defeat, lapsed, departed, no_deal, invalid. One open entry per customer (left_at null);
-- a claim closes it (claimed_by); deal_at: the claimed customer subscribed (rewards: 公海淘金).
CREATE TABLE pool_entries (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    customer_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    reason_id TEXT,
    previous_owner BIGINT,
    entered_at BIGINT NOT NULL,
    left_at BIGINT,
    claimed_by BIGINT,
    deal_at BIGINT
);
CREATE UNIQUE INDEX pool_entries_open ON pool_entries (project_id, customer_id) WHERE left_at IS NULL;
CREATE INDEX pool_entries_entered ON pool_entries (project_id, entered_at);

-- status: pending, approved, rejected (by the supervisor, or because another claim won).
-- counted_day / counted_month: the office's day and month the claim counts against the caps.
CREATE TABLE pool_claims (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    entry_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    consultant_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    counted_day TEXT NOT NULL,
    counted_month TEXT NOT NULL,
    supervisor_id BIGINT,
    opinion TEXT,
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
CREATE UNIQUE INDEX pool_claims_once ON pool_claims (project_id, entry_id, consultant_id);
CREATE INDEX pool_claims_consultant ON pool_claims (project_id, consultant_id, counted_month);
