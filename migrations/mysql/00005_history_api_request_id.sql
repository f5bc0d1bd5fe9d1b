-- The X-Request-Id of the API request that caused each history row's action
-- ('' for the monitors and for rows written before this column), so that a
-- row can be matched with the request and cloud call logs. The API accepts
-- ids of at most 64 characters.

-- +goose Up
ALTER TABLE history ADD COLUMN api_request_id VARCHAR(64) NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE history DROP COLUMN api_request_id;
