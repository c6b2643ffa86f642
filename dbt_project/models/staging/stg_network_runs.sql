{{ config(tags=['run_keyed']) }}
-- Network verdicts of complete runs.
select
    run_id,
    network_id,
    status,
    status in ('ok', 'unchanged') as is_good,
    n_members,
    message,
    content_sha256
from {{ source('raw', 'network_runs') }}
where run_id in (select run_id from {{ ref('stg_runs') }})
qualify row_number() over (partition by run_id, network_id order by status) = 1
