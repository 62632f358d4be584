-- The welcome text sent to a new customer (once, whatever redelivery of customer.created).
CREATE TABLE followup_welcomes (
    project_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    UNIQUE (project_id, customer_id)
);
