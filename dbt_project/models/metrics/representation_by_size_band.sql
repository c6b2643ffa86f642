-- Metric 4: per network, and for all networks together (network_id '(all)'), per size band: the network's
-- member cities against its universe, i.e. every GeoNames place with at least var('universe_min_population')
-- inhabitants in the countries the network has member cities in. Every band appears, also empty ones.
--   member_share = members in band / members;  universe_share = universe places in band / universe places
--   representation_ratio = member_share / universe_share (> 1: over-represented), null for an empty universe band
-- and the same population-weighted (sums of inhabitants instead of counts).
with member_cities as (
    select distinct membership.network_id, cities.city_id, cities.country_code, cities.population
    from {{ ref('fct_membership') }} as membership
    inner join {{ ref('dim_city') }} as cities on cities.city_id = membership.city_id
),

scoped as (
    select network_id, false as is_all_networks, city_id, country_code, population from member_cities
    union all
    select distinct '(all)' as network_id, true as is_all_networks, city_id, country_code, population
    from member_cities
),

members_by_band as (
    select
        network_id,
        {{ size_band('population') }} as size_band,
        count(*) as members,
        sum(population) as member_population
    from scoped
    group by all
),

universe_by_country_band as (
    select
        country_code,
        {{ size_band('population') }} as size_band,
        count(*) as places,
        sum(population) as population
    from {{ ref('stg_places') }}
    where population >= {{ var('universe_min_population') }}
    group by all
),

network_countries as (
    select distinct network_id, is_all_networks, country_code from scoped
),

universe_by_band as (
    select
        network_countries.network_id,
        universe.size_band,
        sum(universe.places) as universe_places,
        sum(universe.population) as universe_population
    from network_countries
    inner join universe_by_country_band as universe on universe.country_code = network_countries.country_code
    group by all
),

networks as (
    select network_id, is_all_networks, count(*) as n_countries
    from network_countries
    group by all
),

grid as (
    select
        networks.network_id,
        networks.is_all_networks,
        networks.n_countries,
        size_bands.size_band,
        size_bands.band_order,
        size_bands.min_population,
        size_bands.max_population,
        coalesce(members_by_band.members, 0) as members,
        coalesce(members_by_band.member_population, 0) as member_population,
        coalesce(universe_by_band.universe_places, 0) as universe_places,
        coalesce(universe_by_band.universe_population, 0) as universe_population
    from networks
    cross join {{ size_band_rows() }}
    left join members_by_band
        on members_by_band.network_id = networks.network_id and members_by_band.size_band = size_bands.size_band
    left join universe_by_band
        on universe_by_band.network_id = networks.network_id and universe_by_band.size_band = size_bands.size_band
),

shares as (
    select
        *,
        members / sum(members) over (partition by network_id) as member_share,
        universe_places / nullif(sum(universe_places) over (partition by network_id), 0) as universe_share,
        member_population / nullif(sum(member_population) over (partition by network_id), 0)
            as member_population_share,
        universe_population / nullif(sum(universe_population) over (partition by network_id), 0)
            as universe_population_share
    from grid
)

select
    cast(network_id as varchar) as network_id,
    cast(is_all_networks as boolean) as is_all_networks,
    cast(size_band as varchar) as size_band,
    cast(band_order as integer) as band_order,
    cast(min_population as bigint) as min_population,
    cast(max_population as bigint) as max_population,
    cast(n_countries as bigint) as n_countries,
    cast(members as bigint) as members,
    cast(member_share as double) as member_share,
    cast(universe_places as bigint) as universe_places,
    cast(universe_share as double) as universe_share,
    cast(member_share / nullif(universe_share, 0) as double) as representation_ratio,
    cast(member_population as bigint) as member_population,
    cast(member_population_share as double) as member_population_share,
    cast(universe_population as bigint) as universe_population,
    cast(universe_population_share as double) as universe_population_share,
    cast(member_population_share / nullif(universe_population_share, 0) as double)
        as population_representation_ratio
from shares
