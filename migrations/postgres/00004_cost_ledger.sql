-- Cost ledger: when each instance ran and at what hourly price (quoted at
-- each start, as integer millionths of the currency). open_for is the
-- instance id while the interval is open and NULL once ended: its unique
-- index allows one open interval per instance, whichever replica opens it.

-- +goose Up
CREATE TABLE cost_intervals (
    id          BIGSERIAL PRIMARY KEY,
    instance_id VARCHAR(64) NOT NULL CONSTRAINT cost_instance_not_empty CHECK (instance_id <> ''),
    started_at  TIMESTAMPTZ(6) NOT NULL,
    ended_at    TIMESTAMPTZ(6),
    price_micro BIGINT NOT NULL CONSTRAINT cost_price_check CHECK (price_micro >= 0),
    currency    VARCHAR(8) NOT NULL,
    open_for    VARCHAR(64),
    CONSTRAINT cost_open CHECK ((ended_at IS NULL) = (open_for IS NOT NULL))
);
CREATE UNIQUE INDEX cost_intervals_open_for ON cost_intervals (open_for);
CREATE INDEX cost_intervals_started_at ON cost_intervals (started_at);

-- +goose Down
DROP TABLE cost_intervals;
