-- Every member of every list version of a network (int_network_versions: consecutive good runs with the same
-- content), deduplicated within the version by (name key, country): the first mention in page order wins.
-- run_id / run_seq / run_started_at are the version's first run, last_run_* its last, n_runs how many good runs
-- it spans. member_id is stable across runs, so history can follow a member.
-- The country is the one the mention states, else the network's registry country (national networks).
with mentions as (
    select
        mentions.*,
        versions.version_seq,
        versions.first_run_id,
        versions.first_run_seq as run_seq,
        versions.first_started_at as run_started_at,
        versions.last_run_id,
        versions.last_run_seq,
        versions.last_started_at,
        versions.n_runs,
        versions.is_latest as is_latest_good,
        fetches.fetched_at,
        coalesce(mentions.stated_country_code, registry.country_code) as country_code,
        case
            when mentions.stated_country_code is not null then 'stated'
            when registry.country_code is not null then 'network'
        end as country_source
    from {{ ref('int_member_mentions') }} as mentions
    -- the same content may come back after another (A, B, A): each version reads the one stored copy
    inner join {{ ref('int_network_versions') }} as versions
        on versions.network_id = mentions.network_id and versions.content_key = mentions.content_key
    inner join {{ ref('stg_fetches') }} as fetches on fetches.fetch_id = mentions.fetch_id
    left join {{ ref('int_registry_networks') }} as registry on registry.network_id = mentions.network_id
)

select
    md5(concat_ws('|', network_id, coalesce(name_key, 'text:' || member_name), coalesce(country_code, '')))
        as member_id,
    network_id,
    version_seq,
    first_run_id as run_id,
    run_seq,
    run_started_at,
    last_run_id,
    last_run_seq,
    last_started_at,
    n_runs,
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
    partition by network_id, version_seq, coalesce(name_key, 'text:' || member_name), coalesce(country_code, '')
    order by fetched_at, fetch_id, position
) = 1
