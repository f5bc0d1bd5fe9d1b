-- Leases: named, expiring rights shared by the replicas ("monitors",
-- "process/<id>"). token is the fencing token: 1 on first grant, one more
-- each time the holder changes. Names compare exactly (sqlite's BINARY
-- default). Times are UTC text as in users, compared by the store against
-- its own clock. Lengths are checked because sqlite does not enforce
-- VARCHAR(n).

-- +goose Up
CREATE TABLE leases (
    name       VARCHAR(100) NOT NULL CONSTRAINT leases_pkey PRIMARY KEY,
    holder     VARCHAR(100) NOT NULL,
    token      BIGINT       NOT NULL CONSTRAINT leases_token_check CHECK (token > 0),
    expires_at TEXT NOT NULL,
    CONSTRAINT leases_len CHECK (length(name) BETWEEN 1 AND 100 AND length(holder) <= 100)
);

-- +goose Down
DROP TABLE leases;
