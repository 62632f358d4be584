-- Notifications (docs/plugins.md, "Notifications"): what a plugin asked to tell whom, rendered
-- from its template, and one delivery per channel with its own status, attempts and back-off.
CREATE TABLE kernel_notifications (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    plugin TEXT NOT NULL,
    template TEXT NOT NULL,
    recipient TEXT NOT NULL,      -- as resolved: {"user_id","name","phone"} | {"phone"} | {"email"}, JSON
    recipient_key TEXT NOT NULL,  -- who, for the per-recipient rate limit: {"user_id"} | {"phone"} | {"email"}
    lang TEXT NOT NULL,
    text TEXT NOT NULL,
    params TEXT NOT NULL,         -- the template's parameters, for gateways that use their own wording
    created_at BIGINT NOT NULL
);

CREATE TABLE kernel_deliveries (
    id INTEGER PRIMARY KEY,
    notification_id BIGINT NOT NULL REFERENCES kernel_notifications (id),
    channel TEXT NOT NULL,        -- log, push, webhook, email
    status TEXT NOT NULL,         -- pending, sent, failed, rate_limited, skipped
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    sent_at BIGINT
);
CREATE INDEX kernel_deliveries_due ON kernel_deliveries (status, next_attempt_at);
CREATE INDEX kernel_deliveries_notification ON kernel_deliveries (notification_id);
CREATE INDEX kernel_notifications_recipient ON kernel_notifications (recipient_key, created_at);
