{{ config(tags=['run_keyed']) }}
-- Fetch attempts of complete runs.
select
    fetch_id,
    run_id,
    network_id,
    url,
    final_url,
    status,
    error,
    bytes,
    sha256,
    fetched_at,
    parser,
    parser_version,
    parse_status,
    parse_error,
    n_mentions,
    mentions_sha256
from {{ source('raw', 'fetches') }}
where run_id in (select run_id from {{ ref('stg_runs') }})
qualify row_number() over (partition by fetch_id order by fetched_at) = 1
