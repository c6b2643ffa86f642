-- Metric 8: per funder (any role: funder, sponsor, host, partner): the networks it supports, and the distinct
-- member cities and countries those networks reach today.
with supported as (
    select distinct funder_id, network_id, role
    from {{ ref('bridge_network_funder') }}
),

reach as (
    select distinct supported.funder_id, cities.city_id, cities.country_code
    from supported
    inner join {{ ref('fct_membership') }} as membership on membership.network_id = supported.network_id
    inner join {{ ref('dim_city') }} as cities on cities.city_id = membership.city_id
),

networks as (
    select
        funder_id,
        count(distinct network_id) as n_networks,
        list_sort(list(distinct network_id)) as network_ids,
        list_sort(list(distinct role)) as roles
    from supported
    group by funder_id
),

networks_with_members as (
    select supported.funder_id, count(distinct supported.network_id) as n_networks_with_members
    from supported
    inner join {{ ref('dim_network') }} as network on network.network_id = supported.network_id
    where network.n_members_resolved > 0
    group by supported.funder_id
),

cities as (
    select funder_id, count(distinct city_id) as n_member_cities, count(distinct country_code) as n_countries
    from reach
    group by funder_id
)

select
    cast(funders.funder_id as varchar) as funder_id,
    cast(funders.name as varchar) as name,
    cast(networks.n_networks as bigint) as n_networks,
    cast(networks.network_ids as varchar[]) as network_ids,
    cast(networks.roles as varchar[]) as roles,
    cast(coalesce(networks_with_members.n_networks_with_members, 0) as bigint) as n_networks_with_members,
    cast(coalesce(cities.n_member_cities, 0) as bigint) as n_member_cities,
    cast(coalesce(cities.n_countries, 0) as bigint) as n_countries
from {{ ref('dim_funder') }} as funders
inner join networks on networks.funder_id = funders.funder_id
left join networks_with_members on networks_with_members.funder_id = funders.funder_id
left join cities on cities.funder_id = funders.funder_id
