-- Checks of other modules reach the desk through the registration.visit.check extension point,
-- and their answers are kept per contributing plugin in `checks` ({"<plugin>": {status,
-- message, detail}}). `source` is the customer's source when the visit was registered, as core
-- keeps it (natural, channel, referral, ...): reports group by it without knowing the list.
-- The two columns this replaces held the answers of two modules by name; they are folded into
-- `checks` under those names, then dropped.
ALTER TABLE registration_visits ADD COLUMN checks TEXT NOT NULL DEFAULT '{}';
ALTER TABLE registration_visits ADD COLUMN source TEXT NOT NULL DEFAULT 'natural';
UPDATE registration_visits SET checks = '{"channel":' || channel || ',"face":' || face || '}';
ALTER TABLE registration_visits DROP COLUMN channel;
ALTER TABLE registration_visits DROP COLUMN face;
