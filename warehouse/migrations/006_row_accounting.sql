-- Idempotent (IF NOT EXISTS): tests/test_migrations.py gives a data dir of the previous layout these tables
-- and columns, so that the loader of today can write its rows, before upgrading it.
-- Every input row accounted for (warehouse/row_accounting.py). How a fetch's bytes were read (tables: encoding,
-- delimiter, sheet), and per fetch the rows read and what became of them: landed as a member, merged into
-- another row of the same member, or refused by the parser. read = landed + merged + refused.
ALTER TABLE raw.fetches ADD COLUMN IF NOT EXISTS read_as VARCHAR;
CREATE TABLE IF NOT EXISTS raw.fetch_row_counts (
    fetch_id VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    network_id VARCHAR NOT NULL,
    rows_read INTEGER NOT NULL,
    rows_landed INTEGER NOT NULL,
    rows_merged INTEGER NOT NULL,
    rows_refused INTEGER NOT NULL
);
-- The rows that did not land, one each: which row, what became of it, and why.
CREATE TABLE IF NOT EXISTS raw.input_rows_not_landed (
    fetch_id VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    network_id VARCHAR NOT NULL,
    row_number INTEGER NOT NULL,      -- row of the input (a table's row, header = 1; else the position + 1)
    outcome VARCHAR NOT NULL,         -- merged | refused
    member_name VARCHAR,              -- merged: the row's name
    reason VARCHAR NOT NULL,
    merged_into_fetch_id VARCHAR,     -- merged: the row it was merged into
    merged_into_row INTEGER,
    differing JSON,                   -- merged: {field: {kept, this_row}} for each value that differed
    cells JSON                        -- refused: the row's cells as read
);
-- Cells of a row that map to no field (column header -> text), e.g. `place`: kept with the mention.
ALTER TABLE raw.mention_sets ADD COLUMN IF NOT EXISTS attributes JSON;
CREATE OR REPLACE VIEW raw.member_mentions AS
SELECT sha256(f.fetch_id || chr(31) || s.position::VARCHAR) AS mention_id, f.fetch_id, f.run_id,
       f.network_id, s.position, s.member_name, s.country, s.role, s.joined, s.member_kind, s.source_url,
       s.left_on, s.attributes
FROM raw.fetches f
JOIN raw.mention_sets s ON s.mentions_sha256 = f.mentions_sha256;
