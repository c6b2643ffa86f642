-- The representation metrics count the same member cities: per network, the countries add up to
-- representation_profile.n_member_cities, and the size bands too, less the cities whose population GeoNames
-- does not know (they have no band).
with profile as (
    select network_id, n_member_cities from {{ ref('representation_profile') }} where n_member_cities > 0
),

unknown_population as (
    select membership.network_id, count(distinct membership.city_id) as n
    from {{ ref('fct_membership') }} as membership
    inner join {{ ref('dim_city') }} as cities on cities.city_id = membership.city_id
    where cities.population is null
    group by membership.network_id
),

bands as (
    select network_id, sum(members) as n
    from {{ ref('representation_by_size_band') }}
    where not is_all_networks
    group by network_id
),

countries as (
    select network_id, sum(members) as n from {{ ref('representation_by_geography') }} group by network_id
)

select profile.network_id, profile.n_member_cities, bands.n as in_bands, countries.n as in_countries
from profile
full outer join bands on bands.network_id = profile.network_id
full outer join countries on countries.network_id = coalesce(profile.network_id, bands.network_id)
left join unknown_population on unknown_population.network_id = profile.network_id
where profile.n_member_cities - coalesce(unknown_population.n, 0) is distinct from bands.n
    or profile.n_member_cities is distinct from countries.n
