{{ config(tags=['run_keyed']) }}
-- The input rows behind each network's current members that did not land as a member of their own, one each,
-- for review: merged into another row of the same member (which row, and every value that differed, e.g. a
-- second join year), or refused by the parser (why, and the row's cells as read).
with not_landed as (
    select * from {{ ref('stg_input_rows_not_landed') }}
),

counts as (
    select * from {{ ref('review_input_counts') }}
),

fetches as (
    select * from {{ ref('stg_fetches') }}
)

select
    cast(not_landed.network_id as varchar) as network_id,
    cast(not_landed.run_id as varchar) as run_id,
    cast(fetches.url as varchar) as source_url,
    cast(not_landed.row_number as integer) as row_number,
    cast(not_landed.outcome as varchar) as outcome,
    cast(not_landed.member_name as varchar) as member_name,
    cast(not_landed.reason as varchar) as reason,
    cast(merged_into.url as varchar) as merged_into_source_url,
    cast(not_landed.merged_into_row as integer) as merged_into_row,
    cast(not_landed.differing_values as varchar) as differing_values,
    cast(not_landed.cells as varchar) as cells
from not_landed
inner join counts on counts.network_id = not_landed.network_id and counts.run_id = not_landed.run_id
left join fetches on fetches.fetch_id = not_landed.fetch_id
left join fetches as merged_into on merged_into.fetch_id = not_landed.merged_into_fetch_id
