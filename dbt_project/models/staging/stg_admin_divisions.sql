{{ config(materialized='table', tags=['gazetteer']) }}
-- GeoNames first-level administrative divisions (states, regions, provinces), one row per country and code.
with source as (
    select * from {{ source('ref', 'admin_divisions') }}
),

renamed as (
    select
        geonameid as division_id,
        country_code,
        -- "IT.09" -> "09": the code ref.places gives as admin1_code
        split_part(admin_code, '.', 2) as admin1_code,
        name as admin1_name,
        iso_code,
        division_type
    from source
    where admin_level = 1
)

select *
from renamed
qualify row_number() over (partition by country_code, admin1_code order by division_id) = 1
