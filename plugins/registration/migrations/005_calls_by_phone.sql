-- A customer's page lists their phone enquiries (core.customer.timeline): by phone, not by day.
CREATE INDEX registration_calls_phone ON registration_calls (project_id, phone);
