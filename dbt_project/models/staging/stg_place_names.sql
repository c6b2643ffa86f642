{{ config(tags=['gazetteer']) }}
-- Distinct (place, name key) pairs: a place reached through several names is one candidate.
select
    geonameid,
    country_code,
    name_key,
    min(name) as name,
    bool_or(is_primary) as is_primary
from {{ source('ref', 'place_names') }}
where name_key <> ''
group by geonameid, country_code, name_key
