-- The representation metrics count the same member cities: per network, the size bands and the countries
-- add up to representation_profile.n_member_cities.
with profile as (
    select network_id, n_member_cities from {{ ref('representation_profile') }} where n_member_cities > 0
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
where profile.n_member_cities is distinct from bands.n or profile.n_member_cities is distinct from countries.n
