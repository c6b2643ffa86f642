{{ config(tags=['run_keyed']) }}
-- The input rows that did not land as a member of their own, one each, with what became of them and why.
with source as (
    select * from {{ source('raw_accounting', 'input_rows_not_landed') }}
),

renamed as (
    select
        fetch_id,
        run_id,
        network_id,
        row_number,
        outcome,
        member_name,
        reason,
        merged_into_fetch_id,
        merged_into_row,
        cast(differing as varchar) as differing_values,
        cast(cells as varchar) as cells
    from source
)

select *
from renamed
qualify row_number() over (partition by fetch_id, row_number, outcome order by reason) = 1
