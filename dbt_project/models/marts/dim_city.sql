-- Every GeoNames place that a membership, current or past, resolves to; in_networks_now counts the current.
with member_cities as (
    select
        resolution.city_id,
        count(distinct resolution.network_id) filter (where current_members.member_id is not null) as n_networks
    from {{ ref('int_member_resolution') }} as resolution
    left join {{ ref('int_current_mentions') }} as current_members
        on current_members.member_id = resolution.member_id
    where resolution.city_id is not null
    group by resolution.city_id
)

select
    cast(places.geonameid as bigint) as city_id,
    cast(places.name as varchar) as name,
    cast(places.country_code as varchar) as country_code,
    cast(countries.name as varchar) as country,
    cast(countries.continent as varchar) as continent,
    cast(places.admin1_code as varchar) as admin1,
    cast(places.latitude as double) as lat,
    cast(places.longitude as double) as lon,
    cast(places.population as bigint) as population,
    cast({{ size_band('places.population') }} as varchar) as size_band,
    cast(coalesce(countries.capital_geonameid = places.geonameid, false) as boolean) as is_capital,
    cast(coalesce(border.is_border, false) as boolean) as is_border,
    cast(border.nearest_foreign_place_km as double) as nearest_foreign_place_km,
    cast(member_cities.n_networks as bigint) as in_networks_now
from member_cities
inner join {{ ref('stg_places') }} as places on places.geonameid = member_cities.city_id
left join {{ ref('stg_countries') }} as countries on countries.country_code = places.country_code
left join {{ ref('int_city_border') }} as border on border.city_id = places.geonameid
