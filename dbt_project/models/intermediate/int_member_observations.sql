-- Every member of every good (network, run), deduplicated within the network by (name key, country): the
-- first mention in page order wins. member_id is stable across runs, so history can follow a member.
-- The country is the one the mention states, else the network's registry country (national networks).
with good_runs as (
    select network_id, run_id, run_seq, started_at, is_latest_good
    from {{ ref('int_network_good_runs') }}
    where is_good
),

mentions as (
    select
        mentions.*,
        good_runs.run_seq,
        good_runs.started_at as run_started_at,
        good_runs.is_latest_good,
        fetches.fetched_at,
        coalesce(mentions.stated_country_code, registry.country_code) as country_code,
        case
            when mentions.stated_country_code is not null then 'stated'
            when registry.country_code is not null then 'network'
        end as country_source
    from {{ ref('stg_member_mentions') }} as mentions
    inner join good_runs
        on good_runs.network_id = mentions.network_id and good_runs.run_id = mentions.run_id
    inner join {{ ref('stg_fetches') }} as fetches on fetches.fetch_id = mentions.fetch_id
    left join {{ ref('stg_registry_networks') }} as registry on registry.network_id = mentions.network_id
)

select
    md5(concat_ws('|', network_id, coalesce(name_key, 'text:' || member_name), coalesce(country_code, '')))
        as member_id,
    network_id,
    run_id,
    run_seq,
    run_started_at,
    is_latest_good,
    mention_id,
    fetch_id,
    position,
    member_name,
    name_key,
    country_text,
    country_code,
    country_source,
    role,
    joined,
    member_kind,
    source_url,
    left_on
from mentions
qualify row_number() over (
    partition by network_id, run_id, coalesce(name_key, 'text:' || member_name), coalesce(country_code, '')
    order by fetched_at, fetch_id, position
) = 1
