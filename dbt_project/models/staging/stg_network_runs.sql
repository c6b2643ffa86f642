{{ config(tags=['run_keyed']) }}
-- Network verdicts of the runs, one row per run and network.
with source as (
    select * from {{ source('raw', 'network_runs') }}
),

renamed as (
    select
        run_id,
        network_id,
        status,
        status in ('ok', 'unchanged') as is_good,
        n_members,
        message,
        content_sha256
    from source
)

select *
from renamed
qualify row_number() over (partition by run_id, network_id order by status) = 1
