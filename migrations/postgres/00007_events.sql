-- The event stream and the webhook outbox. events.id grows with every event
-- (readers resume after the last id they saw); payload is the event's JSON.
-- event_outbox holds one row per (endpoint, event) still to deliver, removed
-- once delivered: the lowest event_id of an endpoint goes first, so each
-- endpoint gets its events in order. webhook_endpoints keeps each endpoint's
-- last success and last error for GET /api/v2/webhooks. operations gains the
-- readable reason of a failure (error_code stays the code), for
-- /api/ecs/v1/operation and the operation.failed event.

-- +goose Up
CREATE TABLE events (
    id          BIGSERIAL PRIMARY KEY,
    type        VARCHAR(64) NOT NULL,
    at          TIMESTAMPTZ(6) NOT NULL,
    actor       VARCHAR(64) NOT NULL DEFAULT '',
    instance_id VARCHAR(64) NOT NULL DEFAULT '',
    payload     TEXT NOT NULL
);
CREATE INDEX events_at ON events (at);

CREATE TABLE event_outbox (
    endpoint   VARCHAR(64) NOT NULL,
    event_id   BIGINT NOT NULL REFERENCES events (id),
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    TIMESTAMPTZ(6),
    last_error TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (endpoint, event_id)
);
CREATE INDEX event_outbox_event ON event_outbox (event_id);

CREATE TABLE webhook_endpoints (
    endpoint        VARCHAR(64) PRIMARY KEY,
    last_success_at TIMESTAMPTZ(6),
    last_error      TEXT NOT NULL DEFAULT '',
    last_error_at   TIMESTAMPTZ(6)
);

ALTER TABLE operations ADD COLUMN error_reason VARCHAR(500) NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE operations DROP COLUMN error_reason;
DROP TABLE webhook_endpoints;
DROP TABLE event_outbox;
DROP TABLE events;
