{{ config(materialized='table', tags=['gazetteer']) }}
-- GeoNames populated places, one row per geonameid.
with source as (
    select * from {{ source('ref', 'places') }}
),

renamed as (
    select
        geonameid,
        name,
        country_code,
        admin1_code,
        latitude,
        longitude,
        population,
        timezone
    from source
)

select *
from renamed
qualify row_number() over (partition by geonameid order by population desc) = 1
