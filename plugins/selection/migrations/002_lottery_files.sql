-- The published list and result (hundreds of kilobytes for ten thousand buyers) move out of the
-- round's row: every selection bumps the round's board version, and SQLite rewrites a row whole,
-- so each sale copied both files (measured: 1.5 ms of a selection's 1.6 ms).
CREATE TABLE selection_lottery_files (
    round_id BIGINT PRIMARY KEY REFERENCES selection_rounds (id),
    eligible_csv TEXT NOT NULL,
    result_csv TEXT
);
INSERT INTO selection_lottery_files (round_id, eligible_csv, result_csv)
    SELECT id, eligible_csv, result_csv FROM selection_rounds WHERE eligible_csv IS NOT NULL;
ALTER TABLE selection_rounds DROP COLUMN eligible_csv;
ALTER TABLE selection_rounds DROP COLUMN result_csv;
