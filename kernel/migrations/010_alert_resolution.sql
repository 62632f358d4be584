-- Alerts in words people read, and closed when what they were about is resolved:
--   title       {"zh-CN","en"}: the kind of alert as people say it (the bell showed raw kinds);
--   subject     what the alert is about, in the raiser's terms ("visit:12"), so the raiser can
--               close it once resolved (kernel.alert.resolve);
--   resolved_at when it closed by itself; acknowledged_at is set with it, so open means neither.
ALTER TABLE alerts ADD COLUMN title TEXT;
ALTER TABLE alerts ADD COLUMN subject TEXT;
ALTER TABLE alerts ADD COLUMN resolved_at BIGINT;
UPDATE alerts SET title = '{"zh-CN":"脚本已停用","en":"Script switched off"}' WHERE kind = 'script.switched_off';
UPDATE alerts SET title = '{"zh-CN":"脚本运行失败","en":"Script failed"}' WHERE kind = 'script.failed';
UPDATE alerts SET title = '{"zh-CN":"定时任务运行失败","en":"Scheduled job failed"}' WHERE kind = 'job.failed';
UPDATE alerts SET title = '{"zh-CN":"来访客户排队","en":"Visitor queued"}' WHERE kind = 'registration.queued';
CREATE INDEX alerts_subject ON alerts (project_id, kind, subject);
