-- The duplicate window (duplicate_window_minutes) kept by a key, not by a look-up alone: each
-- registration first takes its customer's row here (insert, or update where the window has
-- passed). With several writers (PostgreSQL) a second registration of the same customer waits on
-- that row until the first commits and then sees its visit, so one arrival is never two visits.
-- A void opens the window again.
CREATE TABLE registration_visit_windows (
    project_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    visit_id BIGINT NOT NULL,
    open_until BIGINT NOT NULL,
    PRIMARY KEY (project_id, customer_id)
);
