-- Metric 8 (second part): sponsored, grassroots, hybrid and unknown networks compared on their member cities:
-- pooled over the distinct member cities of all networks of a type (median population, share of small towns
-- below var('small_town_max_population')), and per network (the median of the networks' median populations,
-- the mean of their small-town shares) so that one large network does not stand for its whole type.
with networks as (
    select network_id, coalesce(network_type, 'unknown') as network_type
    from {{ ref('dim_network') }}
),

member_cities as (
    select distinct networks.network_type, membership.network_id, cities.city_id, cities.population
    from {{ ref('fct_membership') }} as membership
    inner join {{ ref('dim_city') }} as cities on cities.city_id = membership.city_id
    inner join networks on networks.network_id = membership.network_id
),

pooled as (
    select
        network_type,
        count(distinct city_id) as n_member_cities,
        median(population) as median_population,
        avg({{ is_small_town('population') }}::integer) as share_small_towns
    from (select distinct network_type, city_id, population from member_cities)
    group by network_type
),

per_network as (
    select
        network_type,
        network_id,
        median(population) as median_population,
        avg({{ is_small_town('population') }}::integer) as share_small_towns
    from member_cities
    group by network_type, network_id
),

network_level as (
    select
        network_type,
        count(*) as n_networks_with_members,
        median(median_population) as median_network_median_population,
        avg(share_small_towns) as mean_network_share_small_towns
    from per_network
    group by network_type
),

types as (
    select network_type, count(*) as n_networks
    from networks
    group by network_type
)

select
    cast(types.network_type as varchar) as network_type,
    cast(types.n_networks as bigint) as n_networks,
    cast(coalesce(network_level.n_networks_with_members, 0) as bigint) as n_networks_with_members,
    cast(coalesce(pooled.n_member_cities, 0) as bigint) as n_member_cities,
    cast(pooled.median_population as double) as median_population,
    cast(pooled.share_small_towns as double) as share_small_towns,
    cast(network_level.median_network_median_population as double) as median_network_median_population,
    cast(network_level.mean_network_share_small_towns as double) as mean_network_share_small_towns
from types
left join pooled on pooled.network_type = types.network_type
left join network_level on network_level.network_type = types.network_type
