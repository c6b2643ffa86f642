{{ config(tags=['run_keyed']) }}
-- Every input row behind each network's current members accounted for: of the rows its sources gave in the
-- network's latest good run, how many landed as a member, were merged into another row of the same member, or
-- were refused by the parser (warehouse/row_accounting.py). rows_unaccounted is 0 unless something is wrong.
with network_runs as (
    select * from {{ ref('stg_network_runs') }}
),

runs as (
    select * from {{ ref('int_runs') }}
),

row_counts as (
    select * from {{ ref('stg_fetch_row_counts') }}
),

latest_good as (
    select network_runs.network_id, network_runs.run_id, runs.started_at
    from network_runs
    inner join runs on runs.run_id = network_runs.run_id
    where network_runs.is_good
    qualify row_number() over (partition by network_runs.network_id order by runs.run_seq desc) = 1
),

counts as (
    select
        counts.network_id,
        count(*) as n_fetches,
        sum(counts.rows_read) as rows_read,
        sum(counts.rows_landed) as rows_landed,
        sum(counts.rows_merged) as rows_merged,
        sum(counts.rows_refused) as rows_refused
    from row_counts as counts
    inner join latest_good on latest_good.network_id = counts.network_id and latest_good.run_id = counts.run_id
    group by counts.network_id
)

select
    cast(latest_good.network_id as varchar) as network_id,
    cast(latest_good.run_id as varchar) as run_id,
    {{ utc('latest_good.started_at') }} as run_started_at,
    cast(coalesce(counts.n_fetches, 0) as bigint) as n_fetches,
    cast(coalesce(counts.rows_read, 0) as bigint) as rows_read,
    cast(coalesce(counts.rows_landed, 0) as bigint) as rows_landed,
    cast(coalesce(counts.rows_merged, 0) as bigint) as rows_merged,
    cast(coalesce(counts.rows_refused, 0) as bigint) as rows_refused,
    cast(coalesce(counts.rows_read - counts.rows_landed - counts.rows_merged - counts.rows_refused, 0) as bigint)
        as rows_unaccounted
from latest_good
left join counts on counts.network_id = latest_good.network_id
