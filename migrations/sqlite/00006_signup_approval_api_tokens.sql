-- Who may spend, and API tokens (issue 17).
-- users.pending: a self-registered account waiting for an admin's approval
-- (existing accounts are approved). api_tokens: tokens of bots and scripts,
-- stored as the hex SHA-256 of the token, never the token; they go with
-- their user. readiness_probe: /readyz writes one row here to learn whether
-- the database takes writes (a full disk), then rolls it back (SQLite, which
-- writes its file only on commit, keeps one row, replaced each time).

-- +goose Up
ALTER TABLE users ADD COLUMN pending BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         VARCHAR(200) NOT NULL CONSTRAINT api_tokens_name_len CHECK (length(name) BETWEEN 1 AND 50),
    scopes       VARCHAR(50) NOT NULL,
    token_hash   CHAR(64) NOT NULL,
    user_version BIGINT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_used_at TEXT NULL
);
CREATE UNIQUE INDEX api_tokens_hash_key ON api_tokens (token_hash);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
CREATE TABLE readiness_probe (
    id         INTEGER PRIMARY KEY,
    written_at TEXT NOT NULL,
    payload    TEXT NOT NULL
);

-- +goose Down
DROP TABLE readiness_probe;
DROP TABLE api_tokens;
ALTER TABLE users DROP COLUMN pending;
