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
    id           BIGINT       NOT NULL AUTO_INCREMENT,
    user_id      BIGINT       NOT NULL,
    name         VARCHAR(50)  NOT NULL,
    scopes       VARCHAR(50)  NOT NULL,
    token_hash   CHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    user_version BIGINT       NOT NULL,
    created_at   DATETIME(6)  NOT NULL,
    expires_at   DATETIME(6)  NOT NULL,
    last_used_at DATETIME(6)  NULL,
    PRIMARY KEY (id),
    UNIQUE KEY api_tokens_hash_key (token_hash),
    KEY api_tokens_user (user_id),
    CONSTRAINT api_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT api_tokens_name_not_empty CHECK (name <> '')
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE TABLE readiness_probe (
    id         BIGINT      NOT NULL,
    written_at DATETIME(6) NOT NULL,
    payload    TEXT        NOT NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB;

-- +goose Down
DROP TABLE readiness_probe;
DROP TABLE api_tokens;
ALTER TABLE users DROP COLUMN pending;
