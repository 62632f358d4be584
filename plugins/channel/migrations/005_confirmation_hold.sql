-- A confirmation (确客) that another module asked to wait (channel.confirmation.check answered
-- hold: a face alert the risk officer has not ruled on, say): the deal that would confirm it and
-- since when it waits. The job confirmations_recheck asks again; expiry leaves it alone meanwhile.
ALTER TABLE channel_reports ADD COLUMN held_since BIGINT;
ALTER TABLE channel_reports ADD COLUMN held_reason TEXT;
ALTER TABLE channel_reports ADD COLUMN held_deal_id BIGINT;
CREATE INDEX channel_reports_held ON channel_reports (project_id, held_since);
