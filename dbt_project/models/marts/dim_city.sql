-- Every GeoNames place that a membership, current or past, resolves to; in_networks_now counts the current.
with resolution as (
    select * from {{ ref('int_member_resolution') }}
),

current_mentions as (
    select * from {{ ref('int_current_mentions') }}
),

places as (
    select * from {{ ref('stg_places') }}
),

countries as (
    select * from {{ ref('stg_countries') }}
),

admin_divisions as (
    select * from {{ ref('stg_admin_divisions') }}
),

border as (
    select * from {{ ref('int_city_border') }}
),

member_cities as (
    select
        resolution.city_id,
        count(distinct resolution.network_id) filter (where current_mentions.member_id is not null) as n_networks
    from resolution
    left join current_mentions on current_mentions.member_id = resolution.member_id
    where resolution.city_id is not null
    group by resolution.city_id
),

cities as (
    select
        places.*,
        member_cities.n_networks,
        -- GeoNames writes 0 when it does not know a place's population
        nullif(places.population, 0) as known_population
    from member_cities
    inner join places on places.geonameid = member_cities.city_id
)

select
    cast(cities.geonameid as bigint) as city_id,
    cast(cities.name as varchar) as name,
    cast(cities.country_code as varchar) as country_code,
    cast(countries.name as varchar) as country,
    cast(countries.continent as varchar) as continent,
    cast(nullif(cities.admin1_code, '') as varchar) as admin1_code,
    cast(admin_divisions.admin1_name as varchar) as admin1_name,
    cast(cities.latitude as double) as lat,
    cast(cities.longitude as double) as lon,
    cast(cities.known_population as bigint) as population,
    cast({{ size_band('cities.known_population') }} as varchar) as size_band,
    cast(coalesce(countries.capital_geonameid = cities.geonameid, false) as boolean) as is_capital,
    cast(coalesce(border.is_border, false) as boolean) as is_border,
    cast(border.nearest_foreign_place_km as double) as nearest_foreign_place_km,
    cast(cities.n_networks as bigint) as in_networks_now
from cities
left join countries on countries.country_code = cities.country_code
left join admin_divisions
    on admin_divisions.country_code = cities.country_code and admin_divisions.admin1_code = cities.admin1_code
left join border on border.city_id = cities.geonameid
