-- Metric 10: one row per complete run, metric and key, so trends can be charted across refreshes.
-- Incremental by run: a build computes the runs after those here (macros/run_seq_built.sql), from the same
-- rule as the current marts (state as of a run is each network's latest good list at or before it, see
-- int_membership_as_of_run), so the latest run's rows equal the current metrics (a singular test checks
-- this). The build plan (warehouse/build_plan.py) recomputes the whole history (--full-refresh) whenever a
-- metric definition, the registry or the city resolution changed, so a trend shows membership changes only,
-- never a jump from a changed definition or an improved resolver; a full refresh gives the same rows (tests
-- compare both).
--   key_kind network       members, members_resolved, member_cities, median_population, share_small_towns,
--                          joined, left (only for networks the run attempted)
--   key_kind network_pair  shared, jaccard (key 'network_a|network_b', network_a < network_b)
--   key_kind all           networks_with_members, members, member_cities, most_connected_cities (cities in at
--                          least var('most_connected_min') networks of the subset)
{{ config(materialized='incremental', on_schema_change='fail', tags=['run_keyed']) }}

{% set built_through = run_seq_built() %}
with new_runs as (
    select run_id, run_seq, started_at
    from {{ ref('int_runs') }}
    where run_seq > {{ built_through }}
),

as_of as (
    select * from {{ ref('int_membership_as_of_run') }}
    where run_seq > {{ built_through }}
),

network_cities as (
    select distinct run_id, network_id, city_id, city_population
    from as_of
    where city_id is not null
),

per_network as (
    select
        as_of.run_id,
        as_of.network_id,
        count(*) as members,
        count(as_of.city_id) as members_resolved
    from as_of
    group by as_of.run_id, as_of.network_id
),

per_network_cities as (
    select
        run_id,
        network_id,
        count(*) as member_cities,
        median(city_population) as median_population,
        avg({{ is_small_town('city_population') }}::integer) as share_small_towns
    from network_cities
    group by run_id, network_id
),

pairs as (
    select
        a.run_id,
        a.network_id as network_a,
        b.network_id as network_b,
        a.member_cities as members_a,
        b.member_cities as members_b
    from per_network_cities as a
    inner join per_network_cities as b on b.run_id = a.run_id and a.network_id < b.network_id
),

shared as (
    select a.run_id, a.network_id as network_a, b.network_id as network_b, count(*) as shared
    from network_cities as a
    inner join network_cities as b
        on b.run_id = a.run_id and b.city_id = a.city_id and a.network_id < b.network_id
    group by a.run_id, a.network_id, b.network_id
),

degree as (
    select run_id, city_id, count(*) filter (where {{ in_subset('network_id') }}) as n_networks_in_subset
    from network_cities
    group by run_id, city_id
),

long as (
    select run_id, 'network' as key_kind, network_id as key, 'members' as metric, members as value
    from per_network
    union all
    select run_id, 'network', network_id, 'members_resolved', members_resolved from per_network
    union all
    select run_id, 'network', network_id, 'member_cities', member_cities from per_network_cities
    union all
    select run_id, 'network', network_id, 'median_population', median_population from per_network_cities
    union all
    select run_id, 'network', network_id, 'share_small_towns', share_small_towns from per_network_cities
    union all
    select run_id, 'network', network_id, 'joined', n_joined from {{ ref('membership_changes') }}
    where run_id in (select run_id from new_runs)
    union all
    select run_id, 'network', network_id, 'left', n_left from {{ ref('membership_changes') }}
    where run_id in (select run_id from new_runs)
    union all
    select pairs.run_id, 'network_pair', pairs.network_a || '|' || pairs.network_b, 'shared',
        coalesce(shared.shared, 0)
    from pairs
    left join shared
        on shared.run_id = pairs.run_id and shared.network_a = pairs.network_a and shared.network_b = pairs.network_b
    union all
    select pairs.run_id, 'network_pair', pairs.network_a || '|' || pairs.network_b, 'jaccard',
        coalesce(shared.shared, 0) / (pairs.members_a + pairs.members_b - coalesce(shared.shared, 0))
    from pairs
    left join shared
        on shared.run_id = pairs.run_id and shared.network_a = pairs.network_a and shared.network_b = pairs.network_b
    union all
    select run_id, 'all', 'all', 'networks_with_members', count(*) from per_network group by run_id
    union all
    select run_id, 'all', 'all', 'members', sum(members) from per_network group by run_id
    union all
    select run_id, 'all', 'all', 'member_cities', count(distinct city_id) from network_cities group by run_id
    union all
    select runs.run_id, 'all', 'all', 'most_connected_cities',
        count(degree.city_id) filter (where degree.n_networks_in_subset >= {{ var('most_connected_min') }})
    from new_runs as runs
    left join degree on degree.run_id = runs.run_id
    group by runs.run_id
)

select
    cast(long.run_id as varchar) as run_id,
    cast(runs.run_seq as bigint) as run_seq,
    {{ utc('runs.started_at') }} as run_started_at,
    cast(long.metric as varchar) as metric,
    cast(long.key_kind as varchar) as key_kind,
    cast(long.key as varchar) as key,
    cast(long.value as double) as value
from long
inner join new_runs as runs on runs.run_id = long.run_id
