-- The customer's name as it was when the defeat was asked for: once a colleague claims the
-- customer, core no longer shows them to the consultant who gave them up, whose list still names them.
ALTER TABLE pool_defeats ADD COLUMN customer_name TEXT NOT NULL DEFAULT '';
