-- Durable events (docs/bus.md): an event a plugin publishes on a durable topic is stored here in
-- the publisher's transaction, and each subscribing plugin reads on from its own position, at
-- least once and in order. Delivered rows older than a day are removed.
CREATE TABLE bus_outbox (
    seq INTEGER PRIMARY KEY,
    topic TEXT NOT NULL,
    project_id BIGINT NOT NULL,
    header TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE bus_positions (
    subscriber TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
