-- Each network's members from its latest good run (a network that failed in the latest run keeps its last
-- good data), with first_seen / last_seen: start times of the first and last good runs of that network in
-- which the member appeared (runs of the same list version count each).
with history as (
    select
        member_id,
        min(run_started_at) as first_seen,
        max(last_started_at) as last_seen,
        sum(n_runs) as n_runs_seen
    from {{ ref('int_member_observations') }}
    group by member_id
)

select
    observations.member_id,
    observations.network_id,
    -- the network's latest good run (the mention is the stored copy of that run's content)
    observations.last_run_id as run_id,
    observations.last_started_at as run_started_at,
    observations.mention_id,
    observations.position,
    observations.member_name,
    observations.name_key,
    observations.country_text,
    observations.country_code,
    observations.country_source,
    observations.role,
    observations.joined,
    observations.member_kind,
    observations.source_url,
    history.first_seen,
    history.last_seen,
    history.n_runs_seen
from {{ ref('int_member_observations') }} as observations
inner join history on history.member_id = observations.member_id
where observations.is_latest_good
    -- a row the source dates a departure for is a past member: history (fct_membership_spell), not current
    and observations.left_on is null
