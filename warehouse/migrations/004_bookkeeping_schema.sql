-- The pipeline's own bookkeeping leaves the raw layer (which holds only what was collected) for the schema that
-- also records the migrations. One row per successful dbt build (warehouse/build_plan.py): what kind of build a
-- run got and why, and what it was built from, so the next run can tell whether anything changed since.
CREATE TABLE meta.dbt_builds (
    run_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,            -- full_refresh | incremental | run_only
    reason VARCHAR NOT NULL,
    registry_version VARCHAR NOT NULL,
    resolver_version VARCHAR NOT NULL,
    project_fingerprint VARCHAR NOT NULL,  -- sha256 of the dbt project's files
    content_run_id VARCHAR NOT NULL,  -- the last run whose build rebuilt the marts (itself unless run_only)
    built_at TIMESTAMP NOT NULL
);
INSERT INTO meta.dbt_builds SELECT * FROM raw.dbt_builds;
DROP TABLE raw.dbt_builds;
