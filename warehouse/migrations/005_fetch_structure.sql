-- What the auto parser chose on each page (the selector path of the list it read) and the fetch's note (why it
-- chose so, why pagination stopped): the next run compares its choice with the last one, so a page whose list
-- moved reports it as structure drift.
ALTER TABLE raw.fetches ADD COLUMN structure VARCHAR;
ALTER TABLE raw.fetches ADD COLUMN note VARCHAR;
