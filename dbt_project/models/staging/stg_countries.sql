{{ config(tags=['gazetteer']) }}
-- Countries with continent, capital and GeoNames neighbours.
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
from {{ source('ref', 'countries') }}
qualify row_number() over (partition by country_code order by name) = 1
