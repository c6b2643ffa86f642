{{ config(tags=['run_keyed']) }}
-- Pipeline runs as the loader records them (complete or not: int_runs keeps the complete ones), one row per run.
with source as (
    select * from {{ source('raw', 'runs') }}
),

renamed as (
    select
        run_id,
        started_at,
        mode,
        registry_version,
        networks
    from source
)

select *
from renamed
-- a reloaded run must not appear twice
qualify row_number() over (partition by run_id order by started_at) = 1
