{{ config(tags=['run_keyed']) }}
-- One row per network and complete run that attempted it. The run is good for the network when the scrape's
-- verdict says so (ok or unchanged; a suspicious drop is drift_blocked), it made at least one fetch for it,
-- every fetch parsed ok, and the fetches produced at least one member mention.
-- A network's current data comes from its latest good run, so a failure never erases what was known.
with attempted as (
    select run_id, unnest(networks) as network_id
    from {{ ref('int_runs') }}
    union
    select run_id, network_id
    from {{ ref('stg_fetches') }}
),

fetch_stats as (
    select
        run_id,
        network_id,
        count(*) as n_fetches,
        count(*) filter (where parse_status = 'ok') as n_fetches_ok,
        coalesce(sum(n_mentions), 0) as n_mentions_reported
    from {{ ref('stg_fetches') }}
    group by run_id, network_id
),

-- counted on raw, per stored content (one pass over each distinct content, not over every run that repeated
-- it), so a run-only build can judge a new run without rebuilding or re-reading the mentions of every run
content_sizes as (
    select mentions_sha256, count(*) as n_mentions
    from {{ ref('stg_mention_sets') }}
    group by mentions_sha256
),

mention_stats as (
    select
        fetches.run_id,
        fetches.network_id,
        sum(coalesce(content_sizes.n_mentions, 0)) as n_mentions
    from {{ ref('stg_fetches') }} as fetches
    left join content_sizes on content_sizes.mentions_sha256 = fetches.mentions_sha256
    group by fetches.run_id, fetches.network_id
),

judged as (
    select
        attempted.network_id,
        attempted.run_id,
        runs.run_seq,
        runs.started_at,
        runs.completed_at,
        coalesce(fetch_stats.n_fetches, 0) as n_fetches,
        coalesce(fetch_stats.n_fetches_ok, 0) as n_fetches_ok,
        coalesce(mention_stats.n_mentions, 0) as n_mentions,
        coalesce(fetch_stats.n_mentions_reported, 0) as n_mentions_reported,
        contents.content_key,
        (
            coalesce(verdicts.is_good, false)  -- every run with a fetch has a verdict (migration 003)
            and coalesce(fetch_stats.n_fetches, 0) >= 1
            and fetch_stats.n_fetches_ok = fetch_stats.n_fetches
            and coalesce(mention_stats.n_mentions, 0) >= 1
        ) as is_good
    from attempted
    inner join {{ ref('int_runs') }} as runs on runs.run_id = attempted.run_id
    left join fetch_stats
        on fetch_stats.run_id = attempted.run_id and fetch_stats.network_id = attempted.network_id
    left join mention_stats
        on mention_stats.run_id = attempted.run_id and mention_stats.network_id = attempted.network_id
    left join {{ ref('int_run_contents') }} as contents
        on contents.run_id = attempted.run_id and contents.network_id = attempted.network_id
    left join {{ ref('stg_network_runs') }} as verdicts
        on verdicts.run_id = attempted.run_id and verdicts.network_id = attempted.network_id
),

-- A network whose entry left the registry (an outside registry dropped from TCN_REGISTRY, an entry deleted)
-- retires at the first complete run that did not load its entry: a good attempt with an empty list there, so
-- its members leave the current marts with that run's date while their history stays.
last_in_registry as (
    select registry.network_id, max(runs.run_seq) as last_seq
    from {{ ref('stg_registry_networks') }} as registry
    inner join {{ ref('int_runs') }} as runs on runs.run_id = registry.registry_run_id
    group by registry.network_id
),

retired as (
    select
        last_in_registry.network_id,
        runs.run_id,
        runs.run_seq,
        runs.started_at,
        runs.completed_at,
        0 as n_fetches,
        0 as n_fetches_ok,
        0 as n_mentions,
        0 as n_mentions_reported,
        'retired' as content_key,
        true as is_good
    from last_in_registry
    inner join {{ ref('int_runs') }} as runs on runs.run_seq = last_in_registry.last_seq + 1
),

attempts as (
    select * from judged
    union all
    select * from retired
)

select
    *,
    -- the network's latest attempt, good or not (to report stale networks)
    run_seq = max(run_seq) over (partition by network_id) as is_latest_attempt,
    -- the run whose data is current for the network
    is_good and run_seq = max(run_seq) filter (where is_good) over (partition by network_id) as is_latest_good,
    content_key = 'retired' as is_retirement
from attempts
