-- Each network's list versions: a version is a stretch of the network's consecutive GOOD runs that fetched the
-- same content (int_run_contents). A failed run in between neither ends nor splits a version, as it neither
-- ends nor interrupts a spell. Observations and spells are computed per version, so a run in which nothing
-- changed lengthens a version instead of adding a copy of every member.
with good_runs as (
    select
        network_id,
        run_id,
        run_seq,
        started_at,
        content_key,
        is_latest_good,
        content_key is distinct from lag(content_key) over (
            partition by network_id order by run_seq
        ) as starts_version
    from {{ ref('int_network_good_runs') }}
    where is_good
),

numbered as (
    select
        *,
        sum(starts_version::integer) over (
            partition by network_id order by run_seq rows between unbounded preceding and current row
        ) as version_seq
    from good_runs
)

select
    network_id,
    version_seq,
    any_value(content_key) as content_key,
    arg_min(run_id, run_seq) as first_run_id,
    min(run_seq) as first_run_seq,
    min(started_at) as first_started_at,
    arg_max(run_id, run_seq) as last_run_id,
    max(run_seq) as last_run_seq,
    max(started_at) as last_started_at,
    count(*) as n_runs,
    bool_or(is_latest_good) as is_latest
from numbered
group by network_id, version_seq
