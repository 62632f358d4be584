-- What the dashboards count beside follow-ups: the customer's visits (core's customer.visited)
-- and subscriptions (deal.subscribed), with the owner at the time. kind: visit, deal.
CREATE TABLE followup_contacts (
    project_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    owner_id BIGINT,
    at BIGINT NOT NULL,
    UNIQUE (project_id, customer_id, kind, at)
);
CREATE INDEX followup_contacts_at ON followup_contacts (project_id, kind, at);
