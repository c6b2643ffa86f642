{{ config(materialized='table', tags=['gazetteer']) }}
-- Country name keys that point to exactly one country; an alias shared by two countries resolves to none
-- (a wrong country is worse than no country).
with source as (
    select * from {{ source('ref', 'country_names') }}
),

renamed as (
    select
        name_key,
        country_code
    from source
    where name_key <> ''
)

select name_key, min(country_code) as country_code
from renamed
group by name_key
having count(distinct country_code) = 1
