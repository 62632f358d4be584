-- Collisions (撞单): two channels on one customer (channels), a channel on a customer the site
-- already had (site), a deal after the protection lapsed (lapsed). Each is ruled at once by the
-- project's rule — first valid report, or first visit; hook channel.arbitrate may replace it —
-- with the rule, the times and the evidence kept, and may be appealed once to the manager,
-- whose decision is final.
-- winner: a report id, or null when the site keeps the customer. status: ruled, appealed, final.
CREATE TABLE channel_collisions (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    customer_id BIGINT,
    phone TEXT NOT NULL,
    report_ids TEXT NOT NULL,
    rule TEXT NOT NULL,
    winner_report_id BIGINT,
    evidence TEXT NOT NULL,
    status TEXT NOT NULL,
    ruled_at BIGINT NOT NULL,
    appeal_by BIGINT,
    appeal_reason TEXT,
    appealed_at BIGINT,
    decided_by BIGINT,
    decided_by_name TEXT,
    decision_note TEXT,
    decided_at BIGINT
);
CREATE INDEX channel_collisions_project ON channel_collisions (project_id, status, ruled_at);
-- The collision a report was last ruled in, for its agent's appeal.
ALTER TABLE channel_reports ADD COLUMN collision_id BIGINT;
