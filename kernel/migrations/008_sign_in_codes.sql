-- One-time sign-in codes (docs/auth.md, "Phone and one-time code"). Never the code itself: its
-- HMAC under a key kept beside the database (code.key), so a copied database signs no one in.
-- used_at is set when the code signed someone in or a newer code replaced it; tries counts
-- every check, right or wrong, with a conditional update so parallel guesses share the limit.
CREATE TABLE kernel_sign_in_codes (
    id INTEGER PRIMARY KEY,
    phone TEXT NOT NULL,
    project_id BIGINT NOT NULL,
    role TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    address TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0,
    used_at BIGINT
);
CREATE INDEX kernel_sign_in_codes_phone ON kernel_sign_in_codes (phone, created_at);
CREATE INDEX kernel_sign_in_codes_address ON kernel_sign_in_codes (address, created_at);
CREATE INDEX kernel_sign_in_codes_age ON kernel_sign_in_codes (created_at);
