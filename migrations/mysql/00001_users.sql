-- Users. Names and emails are unique ignoring case through the column
-- collation (utf8mb4_unicode_ci, present on MySQL 8 and MariaDB alike), so
-- plain = lookups ignore case too. Times are UTC DATETIME(6); the service
-- connects with loc=UTC and time_zone='+00:00'.

-- +goose Up
CREATE TABLE users (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    username      VARCHAR(20)  CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
    email         VARCHAR(50)  CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
    grp           VARCHAR(8)   NOT NULL DEFAULT 'std',
    nickname      VARCHAR(20)  NULL,
    password_hash VARCHAR(255) NOT NULL,
    token_version BIGINT       NOT NULL DEFAULT 0,
    created_at    DATETIME(6)  NOT NULL,
    updated_at    DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY users_username_key (username),
    UNIQUE KEY users_email_key (email),
    CONSTRAINT users_grp_check CHECK (grp IN ('std', 'admin')),
    CONSTRAINT users_names_not_empty CHECK (username <> '' AND email <> '' AND (nickname IS NULL OR nickname <> ''))
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE users;
