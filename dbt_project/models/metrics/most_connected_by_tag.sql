-- Metric 1 for every subset a registry tag defines (not only var('subset_tag_key') = var('subset_tag_value')):
-- for each tag key and value some network carries (compared case-insensitively, given here in lower case),
-- the cities that are current members of at least var('most_connected_min') networks carrying it. A team asks
-- the question of its own networks without editing the project: tag them in their registry entries (`tcn
-- import` tags each with imported_from: <file name>) and filter on tag_key / tag_value.
with tags as (
    select distinct network_id, lower(tag_key) as tag_key, lower(tag_value) as tag_value
    from {{ ref('int_network_tags') }}
    where tag_value is not null
),

memberships as (
    select distinct network_id, city_id
    from {{ ref('fct_membership') }}
    where city_id is not null
),

degree as (
    select
        tags.tag_key,
        tags.tag_value,
        memberships.city_id,
        count(*) as n_networks_in_subset,
        list_sort(list(memberships.network_id)) as network_ids
    from memberships
    inner join tags on tags.network_id = memberships.network_id
    group by all
)

select
    cast(degree.tag_key as varchar) as tag_key,
    cast(degree.tag_value as varchar) as tag_value,
    cast(degree.city_id as bigint) as city_id,
    cast(cities.name as varchar) as name,
    cast(cities.country_code as varchar) as country_code,
    cast(cities.population as bigint) as population,
    cast(cities.size_band as varchar) as size_band,
    cast(cities.is_capital as boolean) as is_capital,
    cast(cities.is_border as boolean) as is_border,
    cast(degree.n_networks_in_subset as bigint) as n_networks_in_subset,
    cast(degree.network_ids as varchar[]) as network_ids
from degree
inner join {{ ref('dim_city') }} as cities on cities.city_id = degree.city_id
where degree.n_networks_in_subset >= {{ var('most_connected_min') }}
