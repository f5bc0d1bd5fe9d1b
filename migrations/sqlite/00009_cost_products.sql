-- The cost ledger splits what an instance costs by product, as Aliyun bills
-- it: the instance itself, its disks (billed until released, in every stop
-- mode), fixed bandwidth or estimated traffic. Rows written before are the
-- instance's. open_for becomes '<instance id>/<product>' so that one
-- interval per instance and product may be open; open rows are rewritten.

-- +goose Up
ALTER TABLE cost_intervals ADD COLUMN product VARCHAR(16) NOT NULL DEFAULT 'instance';
UPDATE cost_intervals SET open_for = open_for || '/instance' WHERE open_for IS NOT NULL;

-- +goose Down
DELETE FROM cost_intervals WHERE product <> 'instance';
UPDATE cost_intervals SET open_for = instance_id WHERE open_for IS NOT NULL;
ALTER TABLE cost_intervals DROP COLUMN product;
