-- Membership spells (SCD2) derived from the append-only raw runs: a spell is a maximal stretch of a
-- network's consecutive GOOD runs in which the member appears. Only the network's own good runs count, so a
-- run in which the network failed, or was not scraped at all, neither ends nor interrupts a spell. A spell
-- ends at the first later good run of the network whose list no longer holds the member (the departure is
-- dated by that run); a member listed again later opens a new spell.
-- Computed over list versions (int_network_versions: consecutive good runs with the same content), which
-- gives the same spells as run by run: a member is in every run of a version or in none.
with observations as (
    select
        member_id,
        network_id,
        version_seq,
        run_id,
        run_seq,
        run_started_at,
        last_run_id,
        last_run_seq,
        n_runs,
        member_name,
        name_key,
        country_code,
        joined,
        -- gaps-and-islands: constant within a stretch of consecutive versions holding the member
        version_seq - row_number() over (partition by member_id order by version_seq) as island
    from {{ ref('int_member_observations') }}
    -- past members the source lists with a departure date are published history (int_published_past_spells)
    where left_on is null
),

spells as (
    select
        member_id,
        network_id,
        island,
        min(version_seq) as first_version_seq,
        max(version_seq) as last_version_seq,
        sum(n_runs) as n_runs_seen,
        arg_min(run_id, version_seq) as first_run_id,
        arg_min(run_seq, version_seq) as first_run_seq,
        arg_max(last_run_id, version_seq) as last_run_id,
        arg_max(last_run_seq, version_seq) as last_run_seq,
        min(run_started_at) as valid_from,
        -- the spelling of the latest observation in the spell
        arg_max(member_name, version_seq) as member_name,
        arg_max(name_key, version_seq) as name_key,
        arg_max(country_code, version_seq) as country_code,
        arg_max(joined, version_seq) as joined
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
    row_number() over (partition by spells.member_id order by spells.first_version_seq) as spell_seq,
    spells.valid_from,
    ended.first_started_at as valid_to,
    ended.first_run_id is null as is_current,
    spells.first_run_id,
    spells.first_run_seq,
    spells.last_run_id,
    spells.last_run_seq,
    ended.first_run_id as ended_by_run_id,
    ended.first_run_seq as ended_by_run_seq,
    cast(spells.n_runs_seen as bigint) as n_runs_seen
from spells
-- the next version of the network is the first good run no longer listing the member
left join {{ ref('int_network_versions') }} as ended
    on ended.network_id = spells.network_id and ended.version_seq = spells.last_version_seq + 1
