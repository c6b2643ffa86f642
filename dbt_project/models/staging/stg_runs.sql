{{ config(tags=['run_keyed']) }}
-- Complete runs only: a run becomes visible downstream once its completion marker exists.
with completions as (
    select run_id, min(completed_at) as completed_at
    from {{ source('raw', 'run_completions') }}
    group by run_id
),

runs as (
    select *
    from {{ source('raw', 'runs') }}
    -- a reloaded run must not appear twice
    qualify row_number() over (partition by run_id order by started_at) = 1
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
