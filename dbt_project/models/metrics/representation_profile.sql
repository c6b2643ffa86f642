-- Metric 6: one row per network of the registry: median member population, shares of capitals, border cities
-- and small towns (< var('small_town_max_population')) among its member cities, and coverage: members found
-- (current memberships as published, resolved or not) / the stated member count.
with member_cities as (
    select distinct
        membership.network_id,
        cities.city_id,
        cities.country_code,
        cities.population,
        cities.is_capital,
        cities.is_border
    from {{ ref('fct_membership') }} as membership
    inner join {{ ref('dim_city') }} as cities on cities.city_id = membership.city_id
),

city_stats as (
    select
        network_id,
        count(*) as n_member_cities,
        count(distinct country_code) as n_countries,
        median(population) as median_population,
        avg(is_capital::integer) as share_capitals,
        avg(is_border::integer) as share_border_cities,
        avg({{ is_small_town('population') }}::integer) as share_small_towns
    from member_cities
    group by network_id
),

geography as (
    select distinct network_id, herfindahl_countries
    from {{ ref('representation_by_geography') }}
)

select
    cast(networks.network_id as varchar) as network_id,
    cast(networks.n_members as bigint) as n_members,
    cast(networks.n_members_resolved as bigint) as n_members_resolved,
    cast(coalesce(city_stats.n_member_cities, 0) as bigint) as n_member_cities,
    cast(networks.n_members_resolved / nullif(networks.n_members, 0) as double) as resolved_share,
    cast(networks.stated_member_count as integer) as stated_member_count,
    cast(networks.stated_member_count_as_of as date) as stated_member_count_as_of,
    cast(networks.stated_member_count_as_of_precision as varchar) as stated_member_count_as_of_precision,
    -- null (with dim_network.coverage_note) when there is no list or no stated count
    cast(networks.coverage as double) as coverage,
    cast(city_stats.median_population as double) as median_population,
    cast(city_stats.share_capitals as double) as share_capitals,
    cast(city_stats.share_border_cities as double) as share_border_cities,
    cast(city_stats.share_small_towns as double) as share_small_towns,
    cast(coalesce(city_stats.n_countries, 0) as bigint) as n_countries,
    cast(geography.herfindahl_countries as double) as herfindahl_countries,
    networks.data_as_of
from {{ ref('dim_network') }} as networks
left join city_stats on city_stats.network_id = networks.network_id
left join geography on geography.network_id = networks.network_id
