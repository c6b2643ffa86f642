-- Resolution of each member, current or past (spells and history need both), to a GeoNames place. Decided in
-- Python (warehouse/resolution, the same code `tcn resolve` runs) and stored by the pipeline in
-- ref.member_resolutions (stg_member_resolutions: one row per distinct raw input); joined here on exactly those
-- inputs (member name, country text, the network's registry country and region, the page's member kind, the
-- place the source gives beside the name). A
-- member with no stored resolution stays unresolved ('not_resolved').
with members as (
    select
        mentions.member_id,
        mentions.network_id,
        mentions.name_key,
        mentions.member_name,
        mentions.country_text,
        mentions.member_kind,
        registry.country_code as network_country_code,
        registry.region as network_region,
        published.place_hint
    from {{ ref('int_member_observations') }} as mentions
    left join {{ ref('int_registry_networks') }} as registry on registry.network_id = mentions.network_id
    left join {{ ref('int_member_mentions') }} as published on published.mention_id = mentions.mention_id
    -- one row per member: its latest observation
    qualify row_number() over (partition by mentions.member_id order by mentions.run_seq desc) = 1
),

resolutions as (
    select * from {{ ref('stg_member_resolutions') }}
)

select
    members.member_id,
    members.network_id,
    members.name_key,
    resolutions.country_code,
    resolutions.country_basis,
    resolutions.city_id,
    coalesce(resolutions.method, 'unresolved') as resolution_method,
    coalesce(resolutions.score, 0.0) as resolution_score,
    coalesce(resolutions.n_candidates, 0) as n_candidates,
    resolutions.member_kind as resolved_member_kind,
    resolutions.candidates,
    resolutions.parent_geonameid,
    resolutions.admin_geonameid,
    resolutions.denotes as member_denotes,
    case
        when resolutions.city_id is not null then null
        when resolutions.method is null then 'not_resolved'
        when resolutions.method = 'override' then 'not_a_city'
        else resolutions.reason
    end as unresolved_reason
from members
left join resolutions
    on resolutions.member_name = members.member_name
    and resolutions.country_text is not distinct from members.country_text
    and resolutions.network_country_code is not distinct from members.network_country_code
    and resolutions.network_region is not distinct from members.network_region
    and resolutions.stated_kind is not distinct from members.member_kind
    and resolutions.place_hint is not distinct from members.place_hint
