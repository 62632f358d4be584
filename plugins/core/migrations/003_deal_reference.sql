-- A subscription another module asked for (an opening's confirmed selection) carries that
-- module's reference, so asking again after a crash finds the deal instead of making a second;
-- and the date by which the buyer must sign (签约期限), which the opening's rules set.
ALTER TABLE core_deals ADD COLUMN reference TEXT;
ALTER TABLE core_deals ADD COLUMN sign_by BIGINT;
CREATE UNIQUE INDEX core_deals_reference ON core_deals (project_id, reference) WHERE reference IS NOT NULL;
