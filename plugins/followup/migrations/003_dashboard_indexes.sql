-- The dashboards read follow-ups by time and by grade, owners by consultant, contacts by owner:
-- at 100,000 customers and a million follow-ups these are the difference between seconds and
-- milliseconds (docs/perf.md).
-- Covering: the supervisor's process figures and the forecast's history read no table rows.
CREATE INDEX followup_records_time ON followup_records (project_id, created_at, consultant_id, method, template, customer_id);
CREATE INDEX followup_records_grade ON followup_records (project_id, grade_after, created_at, grade_before, customer_id);
CREATE INDEX followup_owners_owner ON followup_owners (project_id, owner_id);
CREATE INDEX followup_contacts_owner ON followup_contacts (project_id, owner_id, kind, at);
