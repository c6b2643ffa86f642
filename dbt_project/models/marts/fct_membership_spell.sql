-- SCD2 membership history: one row per spell of a member in a network (see int_membership_spells), with
-- the member's city. A network whose run failed or that a run did not scrape keeps its spells open.
select
    cast(spells.spell_id as varchar) as spell_id,
    cast(spells.member_id as varchar) as member_id,
    cast(spells.network_id as varchar) as network_id,
    cast(spells.member_name as varchar) as member_name,
    cast(spells.country_code as varchar) as country_code,
    cast(resolution.city_id as bigint) as city_id,
    cast(spells.spell_seq as integer) as spell_seq,
    cast(spells.valid_from as timestamp) as valid_from,
    cast(spells.valid_to as timestamp) as valid_to,
    cast(spells.is_current as boolean) as is_current,
    cast(spells.first_run_id as varchar) as first_run_id,
    cast(spells.last_run_id as varchar) as last_run_id,
    cast(spells.ended_by_run_id as varchar) as ended_by_run_id,
    cast(spells.n_runs_seen as bigint) as n_runs_seen
from {{ ref('int_membership_spells') }} as spells
left join {{ ref('int_member_resolution') }} as resolution on resolution.member_id = spells.member_id
