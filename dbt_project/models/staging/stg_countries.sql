{{ config(materialized='table', tags=['gazetteer']) }}
-- Countries with continent, capital and GeoNames neighbours, one row per ISO2 code.
with source as (
    select * from {{ source('ref', 'countries') }}
),

renamed as (
    select
        country_code,
        iso3,
        name,
        continent_code,
        continent,
        capital,
        capital_geonameid,
        coalesce(neighbours, []::varchar[]) as neighbours,
        population
    from source
)

select *
from renamed
qualify row_number() over (partition by country_code order by name) = 1
