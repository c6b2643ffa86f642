-- Metric 1, the literature's headline figure recomputed: how many cities belong to at least
-- var('most_connected_min') networks of the subset, and their mean population (Oomen et al. 2018 count
-- "30 cities" in three or more networks, "average population 1.5 million"). One row.
with subset_networks as (
    select
        count(*) as n_networks,
        count(*) filter (where n_members > 0) as n_networks_with_members
    from {{ ref('dim_network') }}
    where {{ in_subset('network_id') }}
)

select
    cast({{ sql_string(var('subset_tag_key')) }} || '=' || {{ sql_string(var('subset_tag_value')) }} as varchar)
        as subset,
    cast(subset_networks.n_networks as bigint) as n_subset_networks,
    cast(subset_networks.n_networks_with_members as bigint) as n_subset_networks_with_members,
    cast({{ var('most_connected_min') }} as integer) as min_networks,
    cast(count(cities.city_id) as bigint) as n_cities,
    cast(avg(cities.population) as double) as mean_population,
    cast(median(cities.population) as double) as median_population,
    cast(count(*) filter (where cities.is_capital) as bigint) as n_capitals,
    cast(count(*) filter (where cities.is_border) as bigint) as n_border_cities
from subset_networks
left join {{ ref('most_connected_cities') }} as cities on true
group by subset_networks.n_networks, subset_networks.n_networks_with_members
