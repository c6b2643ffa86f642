-- What the auto parser chose on a page (the selector path of the list it read) and a fetch's note (why it chose
-- so, why pagination stopped), one row per fetch that has either: the next run compares its choice with the
-- last one, so a page whose list moved reports it as structure drift.
CREATE TABLE IF NOT EXISTS raw.fetch_choices (
    fetch_id VARCHAR NOT NULL,        -- raw.fetches.fetch_id
    run_id VARCHAR NOT NULL,
    network_id VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    structure VARCHAR,                -- null: not read by the auto parser
    note VARCHAR
);
