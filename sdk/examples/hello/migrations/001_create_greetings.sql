CREATE TABLE hello_greetings (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    greeting TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE hello_events (
    topic TEXT PRIMARY KEY,
    seen BIGINT NOT NULL
);
