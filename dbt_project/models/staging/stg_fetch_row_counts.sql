{{ config(tags=['run_keyed']) }}
-- Input rows of each fetch (of every run; joins with int_runs keep the complete runs'): read, landed, merged into
-- another row of the same member, refused (warehouse/row_accounting.py).
with source as (
    select * from {{ source('raw_accounting', 'fetch_row_counts') }}
),

renamed as (
    select fetch_id, run_id, network_id, rows_read, rows_landed, rows_merged, rows_refused
    from source
)

select *
from renamed
qualify row_number() over (partition by fetch_id order by run_id) = 1
