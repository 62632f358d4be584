-- Nightly jobs look for owned customers whose protection lapsed (the pool's recycling, the
-- follow-up reminders): by project and time, not a scan of every customer.
CREATE INDEX core_customers_protection ON core_customers (project_id, protection_until);
