-- What a visit changed in core, kept with it so a void can undo exactly that (a fake
-- registration voided later must not leave a buyer locked to a consultant):
--   gave_owner        this visit made its owner the customer's owner (a new customer, an expired
--                     protection, a designation, a queued visitor given to someone);
--   owner_before      the owner the customer had before (null for a new customer);
--   protection_before the customer's protection_until before (null: none).
-- finished_at: when the receiver saw the visitor off (接待结束). Until then, a receiver with a
-- waiting or received visitor is busy and the rotation passes them by (config busy_consultants_wait).
-- covered_seen_at: when an owner who was away read that a colleague covered their customer; the
-- covered visit stays in the owner's list until then.
ALTER TABLE registration_visits ADD COLUMN gave_owner INTEGER NOT NULL DEFAULT 0;
ALTER TABLE registration_visits ADD COLUMN owner_before BIGINT;
ALTER TABLE registration_visits ADD COLUMN protection_before BIGINT;
ALTER TABLE registration_visits ADD COLUMN finished_at BIGINT;
ALTER TABLE registration_visits ADD COLUMN covered_seen_at BIGINT;
-- Visits registered before this migration: a new customer's first visit by rotation, rule or
-- designation gave it its owner, and there was none before. (For a returning customer whose
-- protection had lapsed the owner before is unknown: such a visit is not undone.)
UPDATE registration_visits SET gave_owner = 1 WHERE assignment IN ('rotation', 'hook', 'designated') AND returning_customer = 0;
CREATE INDEX registration_visits_covered ON registration_visits (project_id, on_behalf_of, covered_seen_at);
