-- The event stream and the webhook outbox. events.id grows with every event
-- (readers resume after the last id they saw); payload is the event's JSON.
-- event_outbox holds one row per (endpoint, event) still to deliver, removed
-- once delivered: the lowest event_id of an endpoint goes first, so each
-- endpoint gets its events in order. webhook_endpoints keeps each endpoint's
-- last success and last error for GET /api/v2/webhooks. operations gains the
-- readable reason of a failure (error_code stays the code), for
-- /api/ecs/v1/operation and the operation.failed event. Times are UTC DATETIME(6).

-- +goose Up
CREATE TABLE events (
    id          BIGINT NOT NULL AUTO_INCREMENT,
    type        VARCHAR(64) NOT NULL,
    at          DATETIME(6) NOT NULL,
    actor       VARCHAR(64) NOT NULL DEFAULT '',
    instance_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '',
    payload     MEDIUMTEXT NOT NULL,
    PRIMARY KEY (id),
    KEY events_at (at)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE event_outbox (
    endpoint   VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    event_id   BIGINT NOT NULL,
    attempts   INT NOT NULL DEFAULT 0,
    next_at    DATETIME(6) NULL,
    last_error TEXT NOT NULL,
    PRIMARY KEY (endpoint, event_id),
    KEY event_outbox_event (event_id),
    CONSTRAINT event_outbox_event_fk FOREIGN KEY (event_id) REFERENCES events (id)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE webhook_endpoints (
    endpoint        VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    last_success_at DATETIME(6) NULL,
    last_error      TEXT NOT NULL,
    last_error_at   DATETIME(6) NULL,
    PRIMARY KEY (endpoint)
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

ALTER TABLE operations ADD COLUMN error_reason VARCHAR(500) NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE operations DROP COLUMN error_reason;
DROP TABLE webhook_endpoints;
DROP TABLE event_outbox;
DROP TABLE events;
