-- The kernel's own tables: tenants (projects), users and roles, token revocations, permission
-- overrides and the audit chain. Times are milliseconds since the epoch (BIGINT) unless the
-- column name says seconds. Portable to PostgreSQL except INTEGER PRIMARY KEY, which the
-- PostgreSQL store maps to an identity column (docs/store.md).

CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    phone TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- project_id 0 holds global roles (admin, or a role in every project).
CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users (id),
    project_id BIGINT NOT NULL DEFAULT 0,
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, project_id, role)
);
CREATE INDEX user_roles_project ON user_roles (project_id, role);

-- expires_at in seconds: a revoked token is forgotten once it would have expired anyway.
CREATE TABLE auth_revocations (
    token_id TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);

CREATE TABLE role_permissions (
    role TEXT NOT NULL,
    permission TEXT NOT NULL,
    granted INTEGER NOT NULL,
    PRIMARY KEY (role, permission)
);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id BIGINT NOT NULL,
    actor_name TEXT NOT NULL,
    project_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_project ON audit_log (project_id, seq);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
