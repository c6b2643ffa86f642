-- Border-city proxy for the cities members resolve to (only those, to keep it cheap): the distance to the
-- nearest populated place of a GeoNames neighbour country, and is_border when it is within var('border_km').
-- A latitude/longitude box prefilters candidates before the great-circle distance.
with cities as (
    select distinct places.geonameid, places.country_code, places.latitude, places.longitude
    from {{ ref('int_member_resolution') }} as resolution
    inner join {{ ref('stg_places') }} as places on places.geonameid = resolution.city_id
),

neighbour_countries as (
    select cities.*, unnest(countries.neighbours) as neighbour_code
    from cities
    inner join {{ ref('stg_countries') }} as countries on countries.country_code = cities.country_code
),

nearby as (
    select
        neighbour_countries.geonameid,
        min({{ haversine_km('neighbour_countries.latitude', 'neighbour_countries.longitude',
                            'foreign_places.latitude', 'foreign_places.longitude') }}) as km
    from neighbour_countries
    inner join {{ ref('stg_places') }} as foreign_places
        on foreign_places.country_code = neighbour_countries.neighbour_code
        and foreign_places.latitude
            between neighbour_countries.latitude - {{ var('border_km') }} / 111.0
            and neighbour_countries.latitude + {{ var('border_km') }} / 111.0
        and foreign_places.longitude
            between neighbour_countries.longitude
                - {{ var('border_km') }} / (111.0 * greatest(cos(radians(neighbour_countries.latitude)), 0.01))
            and neighbour_countries.longitude
                + {{ var('border_km') }} / (111.0 * greatest(cos(radians(neighbour_countries.latitude)), 0.01))
    group by neighbour_countries.geonameid
)

select
    cities.geonameid as city_id,
    nearby.km as nearest_foreign_place_km,
    coalesce(nearby.km <= {{ var('border_km') }}, false) as is_border
from cities
left join nearby on nearby.geonameid = cities.geonameid
