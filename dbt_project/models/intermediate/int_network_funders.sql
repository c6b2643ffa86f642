-- Funders from the registry, one row per network, funder name and role. funder_id is a hash of the name as
-- written in the registry (funder names are curated there, so one organisation keeps one spelling).
with listed as (
    select
        network_id,
        unnest(from_json(funders, '[{"name": "VARCHAR", "role": "VARCHAR", "source": "VARCHAR"}]')) as funder
    from {{ ref('int_registry_networks') }}
)

select
    md5(trim(funder.name)) as funder_id,
    trim(funder.name) as funder_name,
    network_id,
    lower(trim(funder.role)) as role,
    funder.source as source
from listed
where nullif(trim(funder.name), '') is not null
qualify row_number() over (
    partition by network_id, md5(trim(funder.name)), lower(trim(funder.role)) order by funder.source
) = 1
