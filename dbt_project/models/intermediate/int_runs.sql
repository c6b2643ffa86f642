{{ config(tags=['run_keyed']) }}
-- Complete runs only: a run becomes visible downstream once its completion marker exists; numbered in time order.
with runs as (
    select * from {{ ref('stg_runs') }}
),

completions as (
    select * from {{ ref('stg_run_completions') }}
)

select
    runs.run_id,
    runs.started_at,
    completions.completed_at,
    runs.mode,
    runs.registry_version,
    runs.networks,
    -- the order of runs used everywhere downstream ("latest" = highest run_seq)
    row_number() over (order by runs.started_at, completions.completed_at, runs.run_id) as run_seq
from runs
inner join completions on completions.run_id = runs.run_id
