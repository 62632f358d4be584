-- registration: the visit register (来访登记簿), call records (来电登记), idempotency keys.
-- Times are milliseconds since the epoch; `day` is the local calendar day (YYYY-MM-DD).

CREATE TABLE registration_counters (
    project_id BIGINT PRIMARY KEY,
    next_number BIGINT NOT NULL
);

-- assignment: returning (its owner), covering (a colleague on the owner's behalf), designated
-- (the customer named a consultant), rotation, hook (the project's script), queued (nobody on
-- duty), manual. counts_turn: whether it used the receiver's turn in the rotation.
-- status: waiting, received, queued, void. A void keeps its number and stays visible.
CREATE TABLE registration_visits (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    number BIGINT NOT NULL,
    customer_id BIGINT,
    phone TEXT NOT NULL,
    phone_source TEXT NOT NULL,
    name TEXT NOT NULL,
    gender TEXT,
    returning_customer INTEGER NOT NULL,
    receiver_id BIGINT,
    receiver_name TEXT,
    owner_id BIGINT,
    owner_name TEXT,
    on_behalf_of BIGINT,
    assignment TEXT NOT NULL,
    assignment_reason TEXT,
    counts_turn INTEGER NOT NULL,
    questionnaire TEXT NOT NULL,
    custom TEXT NOT NULL,
    channel TEXT NOT NULL,
    face TEXT NOT NULL,
    companions INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    registered_by BIGINT NOT NULL,
    registered_at BIGINT NOT NULL,
    day TEXT NOT NULL,
    received_at BIGINT,
    void_reason TEXT,
    voided_by BIGINT,
    voided_by_name TEXT,
    voided_at BIGINT,
    UNIQUE (project_id, number)
);
CREATE INDEX registration_visits_day ON registration_visits (project_id, day);
CREATE INDEX registration_visits_receiver ON registration_visits (project_id, receiver_id, day);
CREATE INDEX registration_visits_customer ON registration_visits (project_id, customer_id);
CREATE INDEX registration_visits_phone ON registration_visits (project_id, phone, registered_at);

CREATE TABLE registration_calls (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    phone TEXT NOT NULL,
    name TEXT,
    notes TEXT NOT NULL,
    questionnaire TEXT NOT NULL,
    consultant_id BIGINT,
    recorded_by BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL,
    day TEXT NOT NULL
);
CREATE INDEX registration_calls_day ON registration_calls (project_id, day);

CREATE TABLE registration_idempotency (
    project_id BIGINT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    visit_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, key)
);
