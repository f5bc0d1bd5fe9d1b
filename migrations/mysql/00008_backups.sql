-- The world's backups: one row per snapshot of the world's data disk that
-- seatide took or is taking (issue 16). snapshot_id is '' until the cloud
-- named the snapshot; restore_next marks the one an admin picked for the
-- next `new`. Times are UTC DATETIME(6).

-- +goose Up
CREATE TABLE backups (
    id           VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    snapshot_id  VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    disk_id      VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    instance_id  VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    source       VARCHAR(16) NOT NULL,
    state        VARCHAR(16) NOT NULL,
    size_gib     INT NOT NULL,
    error        VARCHAR(1000) NOT NULL,
    restore_next BOOLEAN NOT NULL,
    created_at   DATETIME(6) NOT NULL,
    updated_at   DATETIME(6) NOT NULL,
    PRIMARY KEY (id),
    KEY backups_created_at (created_at),
    CONSTRAINT backups_id_not_empty CHECK (id <> ''),
    CONSTRAINT backups_state_check CHECK (state IN ('creating', 'ready', 'failed')),
    CONSTRAINT backups_source_check CHECK (source IN ('delete', 'schedule', 'reclaim', 'manual')),
    CONSTRAINT backups_size_check CHECK (size_gib >= 0)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE backups;
