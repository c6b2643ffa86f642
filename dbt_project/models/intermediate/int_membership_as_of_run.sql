-- Who was a member of which network as of each complete run: the spells open at that run (started at or
-- before it, not yet ended by it). This equals each network's latest good list at or before the run, so a
-- network that failed in a run shows its last good members there too. Cities come from the member's
-- resolution (int_member_resolution), populations from the gazetteer.
-- Incremental by run: a build adds the runs after those here (a finished run's state does not change); the build
-- plan (warehouse/build_plan.py) rebuilds it whole (--full-refresh) when the definitions, the registry or the
-- resolver changed, or a run completed out of order.
{{ config(materialized='incremental', tags=['run_keyed']) }}
select
    runs.run_id,
    runs.run_seq,
    runs.started_at as run_started_at,
    spells.network_id,
    spells.member_id,
    resolution.city_id,
    places.country_code as city_country_code,
    places.population as city_population
from {{ ref('int_runs') }} as runs
inner join {{ ref('int_membership_spells') }} as spells
    on spells.first_run_seq <= runs.run_seq
    and (spells.ended_by_run_seq is null or spells.ended_by_run_seq > runs.run_seq)
left join {{ ref('int_member_resolution') }} as resolution on resolution.member_id = spells.member_id
left join {{ ref('stg_places') }} as places on places.geonameid = resolution.city_id
where runs.run_seq > {{ run_seq_built() }}
