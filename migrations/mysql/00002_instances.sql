-- Instance side: the one current instance, the operations changing it, the
-- last deploy invocation, and the history of cloud actions. The instance and
-- the invocation are single-row slots (slot = 1), so a second claim hits the
-- primary key. Ids and sources use utf8mb4_bin: they compare exactly, not
-- ignoring case as the table collation would. Times are UTC DATETIME(6);
-- NULL is the zero time where the domain has one (DATETIME cannot keep year
-- 1). Strict sql_mode (see dsn.go) makes an over-long value an error.

-- +goose Up
CREATE TABLE operations (
    id          VARCHAR(64)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    -- Orders operations by first insertion, which an upsert keeps.
    seq         BIGINT       NOT NULL AUTO_INCREMENT,
    action      VARCHAR(32)  NOT NULL,
    step        VARCHAR(64)  NOT NULL,
    state       VARCHAR(16)  NOT NULL,
    error_code  VARCHAR(255) NOT NULL,
    instance_id VARCHAR(64)  NOT NULL,
    started_by  VARCHAR(64)  NOT NULL,
    owner       VARCHAR(64)  NOT NULL, -- the process running it
    started_at  DATETIME(6)  NOT NULL,
    finished_at DATETIME(6)  NULL,
    PRIMARY KEY (id),
    UNIQUE KEY operations_seq_key (seq),
    CONSTRAINT operations_id_not_empty CHECK (id <> ''),
    CONSTRAINT operations_state_check CHECK (state IN ('running', 'succeeded', 'failed'))
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE current_instance (
    slot          SMALLINT    NOT NULL,
    instance_id   VARCHAR(64) NOT NULL, -- '' while the cloud call is under way
    zone          VARCHAR(64) NOT NULL,
    instance_type VARCHAR(64) NOT NULL,
    public_ip     VARCHAR(45) NOT NULL,
    last_status   VARCHAR(32) NOT NULL, -- as last seen or caused, for the reconciler
    created_by    VARCHAR(64) NOT NULL,
    operation_id  VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    version       BIGINT      NOT NULL,
    created_at    DATETIME(6) NOT NULL,
    updated_at    DATETIME(6) NOT NULL,
    PRIMARY KEY (slot),
    CONSTRAINT current_instance_slot_check CHECK (slot = 1),
    CONSTRAINT current_instance_version_check CHECK (version > 0),
    CONSTRAINT current_instance_operation_fkey FOREIGN KEY (operation_id) REFERENCES operations (id)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE last_invocation (
    slot        SMALLINT    NOT NULL,
    instance_id VARCHAR(64) NOT NULL,
    invoke_id   VARCHAR(64) NOT NULL,
    PRIMARY KEY (slot),
    CONSTRAINT last_invocation_slot_check CHECK (slot = 1)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE history (
    id          BIGINT        NOT NULL AUTO_INCREMENT, -- newest first is ORDER BY id DESC
    actor       VARCHAR(64)   NOT NULL,
    action      VARCHAR(32)   NOT NULL,
    instance_id VARCHAR(64)   NOT NULL,
    result      VARCHAR(64)   NOT NULL,
    request_id  VARCHAR(64)   NOT NULL,
    detail      VARCHAR(1000) NOT NULL,
    -- NULL for the service's own rows, so they repeat.
    source      VARCHAR(128)  CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    started_at  DATETIME(6)   NULL,
    finished_at DATETIME(6)   NULL,
    PRIMARY KEY (id),
    UNIQUE KEY history_source_key (source),
    CONSTRAINT history_source_not_empty CHECK (source <> '')
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE history;
DROP TABLE last_invocation;
DROP TABLE current_instance;
DROP TABLE operations;
