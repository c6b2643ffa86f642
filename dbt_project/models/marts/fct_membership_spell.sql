-- SCD2 membership history, two kinds of spell (column basis):
--   observed: derived from the append-only raw runs (see int_membership_spells); a network whose run failed
--             or that a run did not scrape keeps its spells open;
--   published: past members a source lists with a departure date (int_published_past_spells), dated by
--             the source's join and departure dates.
-- Both carry the join date the source publishes (joined_*) with the member's city.
with observed_spells as (
    select * from {{ ref('int_membership_spells') }}
),

published_spells as (
    select * from {{ ref('int_published_past_spells') }}
),

resolution as (
    select * from {{ ref('int_member_resolution') }}
),

places as (
    select * from {{ ref('stg_places') }}
),

spells as (
    select
        spell_id, member_id, network_id, member_name, country_code, spell_seq, valid_from, valid_to,
        is_current, first_run_id, last_run_id, ended_by_run_id, n_runs_seen, joined,
        cast(null as varchar) as left_on, 'observed' as basis
    from observed_spells
    union all
    select
        spell_id, member_id, network_id, member_name, country_code, 1 as spell_seq, valid_from, valid_to,
        false as is_current, first_run_id, last_run_id, null as ended_by_run_id, n_runs_seen, joined,
        left_on, 'published' as basis
    from published_spells
)

select
    cast(spells.spell_id as varchar) as spell_id,
    cast(spells.member_id as varchar) as member_id,
    cast(spells.network_id as varchar) as network_id,
    cast(spells.member_name as varchar) as member_name,
    cast(spells.country_code as varchar) as name_country_hint,
    cast(resolution.city_id as bigint) as city_id,
    cast(places.country_code as varchar) as city_country_code,
    cast(spells.spell_seq as integer) as spell_seq,
    {{ utc('spells.valid_from') }} as valid_from,
    {{ utc('spells.valid_to') }} as valid_to,
    cast(spells.is_current as boolean) as is_current,
    cast(spells.first_run_id as varchar) as first_run_id,
    cast(spells.last_run_id as varchar) as last_run_id,
    cast(spells.ended_by_run_id as varchar) as ended_by_run_id,
    cast(spells.n_runs_seen as bigint) as n_runs_seen,
    cast(spells.basis as varchar) as basis,
    cast(spells.joined as varchar) as joined_text,
    cast({{ published_date_on('spells.joined') }} as date) as joined_on,
    cast({{ published_date_precision('spells.joined') }} as varchar) as joined_precision,
    cast(spells.left_on as varchar) as left_text,
    cast({{ published_date_on('spells.left_on') }} as date) as left_on,
    cast({{ published_date_precision('spells.left_on') }} as varchar) as left_precision
from spells
left join resolution on resolution.member_id = spells.member_id
left join places on places.geonameid = resolution.city_id
