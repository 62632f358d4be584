-- Seals (HMAC under a key kept outside the database, docs/store.md "The audit log") for each
-- audit entry and the head. Entries written before this migration have none; verify() reports
-- where sealing began.
ALTER TABLE audit_log ADD COLUMN seal TEXT;
ALTER TABLE audit_head ADD COLUMN seal TEXT;
