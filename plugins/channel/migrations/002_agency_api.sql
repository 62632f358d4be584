-- The agency API: large agencies' own systems report through signed requests. Each key belongs
-- to one company; its secret signs every request (HMAC-SHA256) and is shown once, when made.
-- Nonces seen in the last minutes are kept so that a request sent again is refused.
CREATE TABLE channel_api_keys (
    key_id TEXT PRIMARY KEY,
    project_id BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX channel_api_keys_company ON channel_api_keys (project_id, company_id);

CREATE TABLE channel_api_nonces (
    key_id TEXT NOT NULL,
    nonce TEXT NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (key_id, nonce)
);
CREATE INDEX channel_api_nonces_seen ON channel_api_nonces (seen_at);
