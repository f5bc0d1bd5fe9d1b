-- Leases: named, expiring rights shared by the replicas ("monitors",
-- "process/<id>"). token is the fencing token: 1 on first grant, one more
-- each time the holder changes. Names and holders use utf8mb4_bin: they
-- compare exactly, not ignoring case as the table collation would. Times are
-- UTC DATETIME(6), compared by the store against its own clock.

-- +goose Up
CREATE TABLE leases (
    name       VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    holder     VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    token      BIGINT       NOT NULL,
    expires_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (name),
    CONSTRAINT leases_name_not_empty CHECK (name <> ''),
    CONSTRAINT leases_token_check CHECK (token > 0)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE leases;
