{{ config(tags=['gazetteer']) }}
-- Country name keys that point to exactly one country; an alias shared by two countries resolves to none
-- (a wrong country is worse than no country).
select
    name_key,
    min(country_code) as country_code
from {{ source('ref', 'country_names') }}
where name_key <> ''
group by name_key
having count(distinct country_code) = 1
