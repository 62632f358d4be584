-- face: consent first (告知同意), then captures, their embeddings, the alerts they raise and the
-- receipts of a person's export or deletion. Nothing here leaves this server.

-- Every decision at the PAD, agreed or refused, with the notice's version and the time: the proof
-- of consent the rules ask for, and of a refusal that was honoured (nothing captured).
CREATE TABLE face_consents (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    phone TEXT NOT NULL,
    name TEXT NOT NULL,
    decision TEXT NOT NULL,             -- accepted, refused
    notice_version TEXT NOT NULL,
    signature TEXT,                     -- the visitor's signature (PNG data URL), when they signed
    camera TEXT,                        -- the entrance camera whose next frame is this person's
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    erased_at BIGINT                    -- the person's face data was deleted on request
);
CREATE INDEX face_consents_phone ON face_consents (project_id, phone);
CREATE INDEX face_consents_camera ON face_consents (project_id, camera, created_at);

-- One photo taken under a consent. The photo itself is kept only when the project keeps photos
-- (photo_until); the visit it belongs to is filled in when registration commits the visit.
-- source is how that visit came: channel when a check at the desk vouched for a channel,
-- otherwise the customer's source (natural for a walk-in).
CREATE TABLE face_captures (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    consent_id BIGINT NOT NULL REFERENCES face_consents (id),
    phone TEXT NOT NULL,
    name TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    faces INTEGER NOT NULL,
    photo TEXT,                         -- base64 JPEG, re-encoded (no EXIF), only while kept
    photo_until BIGINT,
    visit_id BIGINT,
    visit_number BIGINT,
    customer_id BIGINT,
    source TEXT,
    channel TEXT,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX face_captures_phone ON face_captures (project_id, phone);
CREATE INDEX face_captures_customer ON face_captures (project_id, customer_id);
CREATE INDEX face_captures_consent ON face_captures (consent_id);

-- Each good face of a capture: its 128-d embedding (base64 of 128 little-endian floats), until
-- expires_at. The gallery in memory is these rows.
CREATE TABLE face_embeddings (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    capture_id BIGINT NOT NULL REFERENCES face_captures (id),
    face_index INTEGER NOT NULL,
    box TEXT NOT NULL,                  -- JSON {x,y,w,h}
    vector TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX face_embeddings_capture ON face_embeddings (capture_id);
CREATE INDEX face_embeddings_expiry ON face_embeddings (project_id, expires_at);

-- A possible bypass for the risk officer. current and earlier are snapshots of the two visits
-- (time, masked phone, name, source, channel, visit number): the alert and its ruling stay
-- readable after the person's face data is deleted.
CREATE TABLE face_alerts (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    rule TEXT NOT NULL,                 -- channel_after_natural, other_phone, cobuyer_earlier_visit
    capture_id BIGINT NOT NULL,
    earlier_capture_id BIGINT NOT NULL,
    customer_id BIGINT,
    distance DOUBLE PRECISION NOT NULL,
    threshold DOUBLE PRECISION NOT NULL,
    current_visit TEXT NOT NULL,
    earlier_visit TEXT NOT NULL,
    status TEXT NOT NULL,               -- open, confirmed, dismissed
    note TEXT,
    ruled_by BIGINT,
    ruled_by_name TEXT,
    ruled_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (project_id, capture_id, earlier_capture_id)
);
CREATE INDEX face_alerts_status ON face_alerts (project_id, status, created_at);
CREATE INDEX face_alerts_customer ON face_alerts (project_id, customer_id);

-- What an export or a deletion did, for the person and for an inspector.
CREATE TABLE face_receipts (
    id INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL,
    number TEXT NOT NULL,
    action TEXT NOT NULL,               -- export, delete
    phone TEXT NOT NULL,                -- masked
    counts TEXT NOT NULL,               -- JSON {consents, captures, embeddings, photos}
    digest TEXT NOT NULL,
    reason TEXT,
    by_user BIGINT NOT NULL,
    by_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (project_id, number)
);
