-- Membership spells (SCD2) derived from the append-only raw runs: a spell is a maximal stretch of a
-- network's consecutive GOOD runs in which the member appears. Only the network's own good runs count, so a
-- run in which the network failed, or was not scraped at all, neither ends nor interrupts a spell. A spell
-- ends at the first later good run of the network whose list no longer holds the member (the departure is
-- dated by that run); a member listed again later opens a new spell.
with network_good_runs as (
    select
        network_id,
        run_id,
        run_seq,
        started_at,
        -- position of the run among the network's good runs: consecutive good runs differ by one
        row_number() over (partition by network_id order by run_seq) as good_seq
    from {{ ref('int_network_good_runs') }}
    where is_good
),

observations as (
    select
        observations.member_id,
        observations.network_id,
        observations.run_id,
        observations.run_seq,
        observations.run_started_at,
        observations.member_name,
        observations.name_key,
        observations.country_code,
        observations.joined,
        good_runs.good_seq,
        -- gaps-and-islands: constant within a stretch of consecutive good runs holding the member
        good_runs.good_seq - row_number() over (
            partition by observations.member_id order by good_runs.good_seq
        ) as island
    from {{ ref('int_member_observations') }} as observations
    inner join network_good_runs
        as good_runs on good_runs.network_id = observations.network_id and good_runs.run_id = observations.run_id
    -- past members the source lists with a departure date are published history (int_published_past_spells)
    where observations.left_on is null
),

spells as (
    select
        member_id,
        network_id,
        island,
        min(good_seq) as first_good_seq,
        max(good_seq) as last_good_seq,
        count(*) as n_runs_seen,
        arg_min(run_id, good_seq) as first_run_id,
        arg_min(run_seq, good_seq) as first_run_seq,
        arg_max(run_id, good_seq) as last_run_id,
        arg_max(run_seq, good_seq) as last_run_seq,
        min(run_started_at) as valid_from,
        -- the spelling of the latest observation in the spell
        arg_max(member_name, good_seq) as member_name,
        arg_max(name_key, good_seq) as name_key,
        arg_max(country_code, good_seq) as country_code,
        arg_max(joined, good_seq) as joined
    from observations
    group by member_id, network_id, island
)

select
    md5(concat_ws('|', spells.member_id, spells.first_run_id)) as spell_id,
    spells.member_id,
    spells.network_id,
    spells.member_name,
    spells.name_key,
    spells.country_code,
    spells.joined,
    row_number() over (partition by spells.member_id order by spells.first_good_seq) as spell_seq,
    spells.valid_from,
    ended.started_at as valid_to,
    ended.run_id is null as is_current,
    spells.first_run_id,
    spells.first_run_seq,
    spells.last_run_id,
    spells.last_run_seq,
    ended.run_id as ended_by_run_id,
    ended.run_seq as ended_by_run_seq,
    spells.n_runs_seen
from spells
left join network_good_runs as ended
    on ended.network_id = spells.network_id and ended.good_seq = spells.last_good_seq + 1
