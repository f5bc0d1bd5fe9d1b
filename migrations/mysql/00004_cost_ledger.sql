-- Cost ledger: when each instance ran and at what hourly price (quoted at
-- each start, as integer millionths of the currency). open_for is the
-- instance id while the interval is open and NULL once ended: its unique
-- index (which lets NULLs repeat) allows one open interval per instance,
-- whichever replica opens it. Times are UTC DATETIME(6).

-- +goose Up
CREATE TABLE cost_intervals (
    id          BIGINT NOT NULL AUTO_INCREMENT,
    instance_id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    started_at  DATETIME(6) NOT NULL,
    ended_at    DATETIME(6) NULL,
    price_micro BIGINT NOT NULL,
    currency    VARCHAR(8) NOT NULL,
    open_for    VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    PRIMARY KEY (id),
    UNIQUE KEY cost_intervals_open_for (open_for),
    KEY cost_intervals_started_at (started_at),
    CONSTRAINT cost_price_check CHECK (price_micro >= 0),
    CONSTRAINT cost_instance_not_empty CHECK (instance_id <> ''),
    CONSTRAINT cost_open CHECK ((ended_at IS NULL) = (open_for IS NOT NULL))
) ENGINE = InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- +goose Down
DROP TABLE cost_intervals;
