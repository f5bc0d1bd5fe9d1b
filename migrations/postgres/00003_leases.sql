-- Leases: named, expiring rights shared by the replicas ("monitors",
-- "process/<id>"). token is the fencing token: 1 on first grant, one more
-- each time the holder changes. Times are TIMESTAMPTZ, compared by the store
-- against its own clock.

-- +goose Up
CREATE TABLE leases (
    name       VARCHAR(100) CONSTRAINT leases_pkey PRIMARY KEY
               CONSTRAINT leases_name_not_empty CHECK (name <> ''),
    holder     VARCHAR(100) NOT NULL,
    token      BIGINT       NOT NULL CONSTRAINT leases_token_check CHECK (token > 0),
    expires_at TIMESTAMPTZ(6) NOT NULL
);

-- +goose Down
DROP TABLE leases;
