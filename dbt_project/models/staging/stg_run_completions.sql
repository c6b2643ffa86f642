{{ config(tags=['run_keyed']) }}
-- Completion markers: a run becomes visible downstream once it has one (the earliest marker counts).
with source as (
    select * from {{ source('raw', 'run_completions') }}
),

renamed as (
    select
        run_id,
        completed_at
    from source
)

select run_id, min(completed_at) as completed_at
from renamed
group by run_id
