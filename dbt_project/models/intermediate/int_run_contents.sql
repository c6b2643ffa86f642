{{ config(tags=['run_keyed']) }}
-- What each complete run fetched for each network, as one content key: the loader's hash of the network's
-- fetches and their parsed mentions (raw.network_runs.content_sha256). Equal keys mean equal member lists, so
-- history is computed once per distinct content, not once per run. Runs loaded before the hash existed (or
-- without a verdict row) get a key of their own.
with fetches as (
    select * from {{ ref('stg_fetches') }}
),

runs as (
    select * from {{ ref('int_runs') }}
),

verdicts as (
    select * from {{ ref('stg_network_runs') }}
)

select distinct
    fetches.run_id,
    fetches.network_id,
    runs.run_seq,
    coalesce(verdicts.content_sha256, 'run:' || fetches.run_id) as content_key
from fetches
inner join runs on runs.run_id = fetches.run_id
left join verdicts on verdicts.run_id = fetches.run_id and verdicts.network_id = fetches.network_id
