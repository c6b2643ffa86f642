{{ config(tags=['run_keyed']) }}
-- Fetch attempts, one row per fetch_id (of every run; int_runs' joins keep the complete runs').
with source as (
    select * from {{ source('raw', 'fetches') }}
),

renamed as (
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
    from source
)

select *
from renamed
qualify row_number() over (partition by fetch_id order by fetched_at) = 1
