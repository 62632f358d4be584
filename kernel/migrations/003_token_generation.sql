-- A user's token generation: every bearer and device token carries the generation it was issued
-- in, and a password change, a disable or an enable moves the user to the next one, so tokens
-- issued before stop working at once (not when they would have expired, up to 12 h later).
ALTER TABLE users ADD COLUMN token_generation BIGINT NOT NULL DEFAULT 0;
