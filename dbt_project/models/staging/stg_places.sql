{{ config(tags=['gazetteer']) }}
-- GeoNames populated places, one row per geonameid.
select
    geonameid,
    name,
    country_code,
    admin1_code,
    latitude,
    longitude,
    population,
    timezone
from {{ source('ref', 'places') }}
qualify row_number() over (partition by geonameid order by population desc) = 1
