-- The world's backups: one row per snapshot of the world's data disk that
-- seatide took or is taking (issue 16). snapshot_id is '' until the cloud
-- named the snapshot; restore_next marks the one an admin picked for the
-- next `new`. Times are UTC text as in users.

-- +goose Up
CREATE TABLE backups (
    id           VARCHAR(64)  PRIMARY KEY,
    snapshot_id  VARCHAR(64)  NOT NULL,
    disk_id      VARCHAR(64)  NOT NULL,
    instance_id  VARCHAR(64)  NOT NULL,
    source       VARCHAR(16)  NOT NULL,
    state        VARCHAR(16)  NOT NULL,
    size_gib     INTEGER      NOT NULL,
    error        VARCHAR(1000) NOT NULL,
    restore_next BOOLEAN      NOT NULL,
    created_at   TEXT         NOT NULL,
    updated_at   TEXT         NOT NULL,
    CONSTRAINT backups_id_not_empty CHECK (length(id) BETWEEN 1 AND 64),
    CONSTRAINT backups_state_check CHECK (state IN ('creating', 'ready', 'failed')),
    CONSTRAINT backups_source_check CHECK (source IN ('delete', 'schedule', 'reclaim', 'manual')),
    CONSTRAINT backups_size_check CHECK (size_gib >= 0)
);
CREATE INDEX backups_created_at ON backups (created_at);

-- +goose Down
DROP TABLE backups;
