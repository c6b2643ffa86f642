{{ config(materialized='table', tags=['gazetteer']) }}
-- Distinct (place, name key) pairs: a place reached through several names is one candidate.
with source as (
    select * from {{ source('ref', 'place_names') }}
),

renamed as (
    select
        geonameid,
        country_code,
        name_key,
        name,
        is_primary
    from source
    where name_key <> ''
)

select geonameid, country_code, name_key, min(name) as name, bool_or(is_primary) as is_primary
from renamed
group by geonameid, country_code, name_key
