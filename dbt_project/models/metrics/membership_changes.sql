{{ config(tags=['run_keyed']) }}
-- Metric 9: per complete run and network it attempted: who joined and who left (from the spells), and the
-- member count before and after. A failed attempt changes nothing: its members carry over.
with attempts as (
    select
        network_id,
        run_id,
        run_seq,
        started_at,
        is_good,
        n_fetches,
        n_fetches_ok,
        n_mentions,
        is_retirement
    from {{ ref('int_network_good_runs') }}
),

first_good as (
    select network_id, min(run_seq) as first_good_seq
    from {{ ref('int_network_good_runs') }}
    where is_good
    group by network_id
),

joined as (
    select network_id, first_run_id as run_id, count(*) as n_joined
    from {{ ref('int_membership_spells') }}
    group by network_id, first_run_id
),

departed as (
    select network_id, ended_by_run_id as run_id, count(*) as n_left
    from {{ ref('int_membership_spells') }}
    where ended_by_run_id is not null
    group by network_id, ended_by_run_id
),

-- a row for every good run the observations were built for (0 when its list holds past members only); a run
-- built run-only (nothing changed, see warehouse/build_plan.py) has none and carries the last list forward
listed as (
    select network_id, run_id, count(*) filter (where left_on is null) as n_members
    from {{ ref('int_member_observations') }}
    group by network_id, run_id
),

counted as (
    select
        attempts.*,
        first_good.first_good_seq,
        coalesce(joined.n_joined, 0) as n_joined,
        coalesce(departed.n_left, 0) as n_left,
        -- members after the run: the run's own list when good, else the last good list before it
        last_value(case
            when attempts.is_retirement then 0  -- the network left the registry: no current members
            when attempts.is_good then listed.n_members
        end ignore nulls) over (
            partition by attempts.network_id order by attempts.run_seq
            rows between unbounded preceding and current row
        ) as members_after
    from attempts
    left join first_good on first_good.network_id = attempts.network_id
    left join joined on joined.network_id = attempts.network_id and joined.run_id = attempts.run_id
    left join departed on departed.network_id = attempts.network_id and departed.run_id = attempts.run_id
    left join listed on listed.network_id = attempts.network_id and listed.run_id = attempts.run_id
)

select
    cast(run_id as varchar) as run_id,
    cast(run_seq as bigint) as run_seq,
    {{ utc('started_at') }} as run_started_at,
    cast(network_id as varchar) as network_id,
    cast(
        case
            when is_retirement then 'retired'
            when is_good then 'ok'
            when n_fetches = 0 then 'not_fetched'
            when n_fetches_ok < n_fetches then 'failed'
            else 'empty'
        end as varchar
    ) as attempt_status,
    cast(is_good as boolean) as is_good,
    cast(coalesce(run_seq = first_good_seq, false) as boolean) as is_first_good_run,
    cast(
        coalesce(lag(members_after) over (partition by network_id order by run_seq), 0) as bigint
    ) as members_before,
    cast(n_joined as bigint) as n_joined,
    cast(n_left as bigint) as n_left,
    cast(n_joined - n_left as bigint) as net_change,
    cast(coalesce(members_after, 0) as bigint) as members_after
from counted
