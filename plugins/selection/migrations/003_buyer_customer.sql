-- A qualified buyer is core's customer (by phone): claimed when the office records the deposit,
-- so that on opening day a selection asks core only for the subscription.
ALTER TABLE selection_buyers ADD COLUMN customer_id BIGINT;
