{{ config(tags=['run_keyed']) }}
-- What each complete run fetched for each network, as one content key: the loader's hash of the network's
-- fetches and their parsed mentions (raw.network_runs.content_sha256). Equal keys mean equal member lists, so
-- history is computed once per distinct content, not once per run. Runs loaded before the hash existed (or
-- without a verdict row) get a key of their own.
select distinct
    fetches.run_id,
    fetches.network_id,
    runs.run_seq,
    coalesce(verdicts.content_sha256, 'run:' || fetches.run_id) as content_key
from {{ ref('stg_fetches') }} as fetches
inner join {{ ref('stg_runs') }} as runs on runs.run_id = fetches.run_id
left join {{ ref('stg_network_runs') }} as verdicts
    on verdicts.run_id = fetches.run_id and verdicts.network_id = fetches.network_id
