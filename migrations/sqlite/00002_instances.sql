-- Instance side: the one current instance, the operations changing it, the
-- last deploy invocation, and the history of cloud actions. The instance and
-- the invocation are single-row slots (slot = 1), so a second claim hits the
-- primary key. Ids compare exactly (sqlite's BINARY default). Times are UTC
-- text as in users; NULL is the zero time where the domain has one. Lengths
-- are checked because sqlite does not enforce VARCHAR(n).

-- +goose Up
CREATE TABLE operations (
    -- AUTOINCREMENT needs the primary key; seq orders operations by first
    -- insertion, which an upsert keeps.
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          VARCHAR(64)  NOT NULL CONSTRAINT operations_id_key UNIQUE,
    action      VARCHAR(32)  NOT NULL,
    step        VARCHAR(64)  NOT NULL,
    state       VARCHAR(16)  NOT NULL
                CONSTRAINT operations_state_check CHECK (state IN ('running', 'succeeded', 'failed')),
    error_code  VARCHAR(255) NOT NULL,
    instance_id VARCHAR(64)  NOT NULL,
    started_by  VARCHAR(64)  NOT NULL,
    owner       VARCHAR(64)  NOT NULL, -- the process running it
    started_at  TEXT NOT NULL,
    finished_at TEXT NULL,
    CONSTRAINT operations_len CHECK (length(id) BETWEEN 1 AND 64 AND length(action) <= 32
        AND length(step) <= 64 AND length(error_code) <= 255 AND length(instance_id) <= 64
        AND length(started_by) <= 64 AND length(owner) <= 64)
);

CREATE TABLE current_instance (
    slot          INTEGER     NOT NULL CONSTRAINT current_instance_pkey PRIMARY KEY
                  CONSTRAINT current_instance_slot_check CHECK (slot = 1),
    instance_id   VARCHAR(64) NOT NULL, -- '' while the cloud call is under way
    zone          VARCHAR(64) NOT NULL,
    instance_type VARCHAR(64) NOT NULL,
    public_ip     VARCHAR(45) NOT NULL,
    last_status   VARCHAR(32) NOT NULL, -- as last seen or caused, for the reconciler
    created_by    VARCHAR(64) NOT NULL,
    operation_id  VARCHAR(64) NULL
                  CONSTRAINT current_instance_operation_fkey REFERENCES operations (id),
    version       BIGINT      NOT NULL CONSTRAINT current_instance_version_check CHECK (version > 0),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CONSTRAINT current_instance_len CHECK (length(instance_id) <= 64 AND length(zone) <= 64
        AND length(instance_type) <= 64 AND length(public_ip) <= 45 AND length(last_status) <= 32 AND length(created_by) <= 64)
);

CREATE TABLE last_invocation (
    slot        INTEGER     NOT NULL CONSTRAINT last_invocation_pkey PRIMARY KEY
                CONSTRAINT last_invocation_slot_check CHECK (slot = 1),
    instance_id VARCHAR(64) NOT NULL,
    invoke_id   VARCHAR(64) NOT NULL,
    CONSTRAINT last_invocation_len CHECK (length(instance_id) <= 64 AND length(invoke_id) <= 64)
);

CREATE TABLE history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT, -- newest first is ORDER BY id DESC
    actor       VARCHAR(64)   NOT NULL,
    action      VARCHAR(32)   NOT NULL,
    instance_id VARCHAR(64)   NOT NULL,
    result      VARCHAR(64)   NOT NULL,
    request_id  VARCHAR(64)   NOT NULL,
    detail      VARCHAR(1000) NOT NULL,
    source      VARCHAR(128)  NULL, -- NULL for the service's own rows, so they repeat
    started_at  TEXT NULL,
    finished_at TEXT NULL,
    CONSTRAINT history_len CHECK (length(actor) <= 64 AND length(action) <= 32
        AND length(instance_id) <= 64 AND length(result) <= 64 AND length(request_id) <= 64
        AND length(detail) <= 1000 AND (source IS NULL OR length(source) BETWEEN 1 AND 128))
);
CREATE UNIQUE INDEX history_source_key ON history (source);

-- +goose Down
DROP TABLE history;
DROP TABLE last_invocation;
DROP TABLE current_instance;
DROP TABLE operations;
