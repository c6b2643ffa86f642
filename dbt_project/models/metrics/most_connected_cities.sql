-- Metric 1: the cities in at least var('most_connected_min') networks of the subset, with the attributes
-- the literature reports (population, country, capital and border flags).
select
    cast(degree.city_id as bigint) as city_id,
    cast(cities.name as varchar) as name,
    cast(cities.country_code as varchar) as country_code,
    cast(cities.country as varchar) as country,
    cast(cities.continent as varchar) as continent,
    cast(cities.population as bigint) as population,
    cast(cities.size_band as varchar) as size_band,
    cast(cities.is_capital as boolean) as is_capital,
    cast(cities.is_border as boolean) as is_border,
    cast(degree.n_networks_in_subset as bigint) as n_networks_in_subset,
    cast(degree.n_networks as bigint) as n_networks,
    cast(degree.network_ids as varchar[]) as network_ids
from {{ ref('city_network_degree') }} as degree
inner join {{ ref('dim_city') }} as cities on cities.city_id = degree.city_id
where degree.n_networks_in_subset >= {{ var('most_connected_min') }}
