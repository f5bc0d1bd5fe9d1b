-- Users. Names and emails are unique ignoring ASCII case (COLLATE NOCASE on
-- the column, so plain = lookups ignore case too). Times are UTC text,
-- 'YYYY-MM-DD HH:MM:SS.ffffff', which sorts and compares correctly.

-- +goose Up
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      VARCHAR(20) NOT NULL COLLATE NOCASE
                  CONSTRAINT users_username_len CHECK (length(username) BETWEEN 1 AND 20),
    email         VARCHAR(50) NOT NULL COLLATE NOCASE
                  CONSTRAINT users_email_len CHECK (length(email) BETWEEN 1 AND 50),
    grp           VARCHAR(8)  NOT NULL DEFAULT 'std'
                  CONSTRAINT users_grp_check CHECK (grp IN ('std', 'admin')),
    nickname      VARCHAR(20) NULL
                  CONSTRAINT users_nickname_len CHECK (nickname IS NULL OR length(nickname) BETWEEN 1 AND 20),
    password_hash VARCHAR(255) NOT NULL,
    token_version BIGINT NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users (username);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- +goose Down
DROP TABLE users;
