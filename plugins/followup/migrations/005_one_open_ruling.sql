-- One open case per customer, said by the database itself: two supervisors opening a case on the
-- same customer at once (or two kernels on one PostgreSQL) leave one case, not two that could
-- each reassign the customer.
CREATE UNIQUE INDEX followup_rulings_one_open ON followup_rulings (project_id, customer_id) WHERE status = 'open';
