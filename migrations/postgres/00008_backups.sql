-- The world's backups: one row per snapshot of the world's data disk that
-- seatide took or is taking (issue 16). snapshot_id is '' until the cloud
-- named the snapshot; restore_next marks the one an admin picked for the
-- next `new`.

-- +goose Up
CREATE TABLE backups (
    id           VARCHAR(64)   CONSTRAINT backups_pkey PRIMARY KEY
                 CONSTRAINT backups_id_not_empty CHECK (id <> ''),
    snapshot_id  VARCHAR(64)   NOT NULL,
    disk_id      VARCHAR(64)   NOT NULL,
    instance_id  VARCHAR(64)   NOT NULL,
    source       VARCHAR(16)   NOT NULL
                 CONSTRAINT backups_source_check CHECK (source IN ('delete', 'schedule', 'reclaim', 'manual')),
    state        VARCHAR(16)   NOT NULL
                 CONSTRAINT backups_state_check CHECK (state IN ('creating', 'ready', 'failed')),
    size_gib     INTEGER       NOT NULL CONSTRAINT backups_size_check CHECK (size_gib >= 0),
    error        VARCHAR(1000) NOT NULL,
    restore_next BOOLEAN       NOT NULL,
    created_at   TIMESTAMPTZ(6) NOT NULL,
    updated_at   TIMESTAMPTZ(6) NOT NULL
);
CREATE INDEX backups_created_at ON backups (created_at);

-- +goose Down
DROP TABLE backups;
