-- How the Python resolver (warehouse/resolution, the code `tcn resolve` runs) decided each distinct member
-- input: one row per input (member name, country text, network country and region, stated kind, place), the
-- latest.
with source as (
    select * from {{ source('ref', 'member_resolutions') }}
),

renamed as (
    select
        -- the inputs
        member_name,
        country_text,
        network_country_code,
        network_region,
        stated_kind,
        place_hint,
        -- the decision
        resolver_version,
        country_code,
        country_basis,
        geonameid as city_id,
        member_kind,
        method,
        score,
        n_candidates,
        candidates,
        reason,
        parent_geonameid,
        admin_geonameid,
        denotes,
        resolved_at
    from source
)

select *
from renamed
qualify row_number() over (
    partition by member_name, country_text, network_country_code, network_region, stated_kind, place_hint
    order by resolved_at desc
) = 1
