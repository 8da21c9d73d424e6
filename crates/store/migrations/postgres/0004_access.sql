-- Accounts, roles, sessions and the audit log (系统管理).
-- One role per account: the three separated administrators (三员) can then never be held by
-- one account, and a role's data scope is the account's.

ALTER TABLE orgs ADD COLUMN code TEXT NOT NULL DEFAULT '';
ALTER TABLE orgs ADD COLUMN sort_order BIGINT NOT NULL DEFAULT 0;
-- The town an organisation belongs to (a town commission, a town's villages), for the
-- "own town" data scope; '' where none.
ALTER TABLE orgs ADD COLUMN town TEXT NOT NULL DEFAULT '';

-- The town of an alert's subject (from the household register), for the town data scope.
ALTER TABLE alerts ADD COLUMN town TEXT NOT NULL DEFAULT '';

CREATE TABLE roles (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    data_scope  TEXT NOT NULL,            -- all | org | org_tree | town | none
    admin_kind  TEXT NOT NULL,            -- '' or system | security | audit (三员)
    builtin     BIGINT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE role_permissions (
    role       TEXT NOT NULL REFERENCES roles(code),
    permission TEXT NOT NULL,
    PRIMARY KEY (role, permission)
);

CREATE TABLE users (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE,
    display_name        TEXT NOT NULL,
    org_id              BIGINT NOT NULL REFERENCES orgs(id),
    role                TEXT NOT NULL REFERENCES roles(code),
    password_hash       TEXT NOT NULL,    -- Argon2id, PHC string
    password_changed_at TEXT NOT NULL,
    must_change         BIGINT NOT NULL,
    enabled             BIGINT NOT NULL,
    failed_logins       BIGINT NOT NULL DEFAULT 0,
    locked_until        TEXT,
    totp_secret         TEXT,             -- base32; set once enrolled
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);

CREATE TABLE password_history (
    user_id       BIGINT NOT NULL REFERENCES users(id),
    password_hash TEXT NOT NULL,
    changed_at    TEXT NOT NULL
);
CREATE INDEX password_history_by_user ON password_history(user_id, changed_at);

-- A session is known by the SHA-256 of its token: the database never holds a usable cookie.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id),
    csrf_token   TEXT NOT NULL,
    source       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,           -- the absolute timeout
    ended_at     TEXT,
    end_reason   TEXT
);
CREATE INDEX sessions_by_user ON sessions(user_id);

-- Append-only and hash-chained: mac = HMAC-SHA256(key, previous mac | the record's fields),
-- with a key kept outside the database. audit_head serialises appends.
CREATE TABLE audit_log (
    seq        BIGINT PRIMARY KEY,
    at         TEXT NOT NULL,             -- UTC, RFC 3339
    actor      TEXT NOT NULL,
    role       TEXT NOT NULL,
    org        TEXT NOT NULL,
    action     TEXT NOT NULL,
    object     TEXT NOT NULL,
    result     TEXT NOT NULL,
    source     TEXT NOT NULL,
    detail     TEXT NOT NULL,
    mac        TEXT NOT NULL
);
CREATE INDEX audit_log_by_time ON audit_log(at);

CREATE TABLE audit_head (
    id   BIGINT PRIMARY KEY,
    seq  BIGINT NOT NULL,
    mac  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, mac) VALUES (1, 0, '');
