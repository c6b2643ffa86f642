-- A member's place as its source gives it beside the name (a table's `place` column, kept with the mention as
-- an attribute): one more input of a resolution, used when the name alone finds no town.
ALTER TABLE ref.member_resolutions ADD COLUMN place_hint VARCHAR;
