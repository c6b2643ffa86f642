-- Metric 1: per city, how many networks it is a current member of (members resolved to a city), which
-- ones, its dense rank, and how many of them are in the chosen subset (see the in_subset macro).
with memberships as (
    select distinct network_id, city_id
    from {{ ref('fct_membership') }}
    where city_id is not null
),

degree as (
    select
        city_id,
        count(*) as n_networks,
        list_sort(list(network_id)) as network_ids,
        count(*) filter (where {{ in_subset('network_id') }}) as n_networks_in_subset
    from memberships
    group by city_id
)

select
    cast(degree.city_id as bigint) as city_id,
    cast(cities.name as varchar) as name,
    cast(cities.country_code as varchar) as country_code,
    cast(degree.n_networks as bigint) as n_networks,
    cast(degree.network_ids as varchar[]) as network_ids,
    cast(dense_rank() over (order by degree.n_networks desc) as bigint) as degree_rank,
    cast(degree.n_networks_in_subset as bigint) as n_networks_in_subset
from degree
left join {{ ref('dim_city') }} as cities on cities.city_id = degree.city_id
