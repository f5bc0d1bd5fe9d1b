-- The users' change stamp: one row whose number every user write (create,
-- update, delete) bumps in its own transaction. A replica caches the users
-- it authenticates and re-reads only this row, once per
-- users.revocation_delay, to know whether its copies may be stale: one
-- cheap read per delay instead of a user read per request.

-- +goose Up
CREATE TABLE users_stamp (
    id    INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    stamp BIGINT  NOT NULL
);
INSERT INTO users_stamp (id, stamp) VALUES (1, 0);

-- +goose Down
DROP TABLE users_stamp;
