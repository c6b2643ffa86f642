-- One row per (network, member) currently published: the network's latest good run.
with mentions as (
    select * from {{ ref('int_current_mentions') }}
),

resolution as (
    select * from {{ ref('int_member_resolution') }}
),

places as (
    select * from {{ ref('stg_places') }}
)

select
    cast(mentions.network_id as varchar) as network_id,
    cast(mentions.member_id as varchar) as member_id,
    cast(mentions.member_name as varchar) as member_name,
    cast(mentions.name_key as varchar) as name_key,
    cast(
        coalesce(
            mentions.member_kind,
            resolution.resolved_member_kind,
            case when resolution.city_id is not null then 'city' else 'unknown' end
        ) as varchar
    ) as member_kind,
    cast(mentions.role as varchar) as role,
    cast(mentions.joined as varchar) as joined_text,
    cast({{ published_date_on('mentions.joined') }} as date) as joined_on,
    cast({{ published_date_precision('mentions.joined') }} as varchar) as joined_precision,
    cast(mentions.country_text as varchar) as country_text,
    -- the country the resolver searched in, a hint from the page, the name or the network (not the city's own);
    -- a country text maps to the same country here and in the resolver (both read ref.country_names), and the
    -- resolver also reads countries from the member name ("X (Germany)") and a municipality's country
    cast(coalesce(mentions.country_code, resolution.country_code) as varchar) as name_country_hint,
    cast(
        coalesce(
            mentions.country_source,
            case when resolution.country_basis in ('stated', 'network') then resolution.country_basis end
        ) as varchar
    ) as name_country_hint_source,
    cast(resolution.city_id as bigint) as city_id,
    cast(places.country_code as varchar) as city_country_code,
    cast(resolution.resolution_method as varchar) as resolution_method,
    cast(resolution.resolution_score as double) as resolution_score,
    cast(resolution.n_candidates as bigint) as n_candidates,
    cast(resolution.admin_geonameid as bigint) as admin_geonameid,
    cast(resolution.member_denotes as varchar) as member_denotes,
    cast(mentions.source_url as varchar) as source_url,
    {{ utc('mentions.first_seen') }} as first_seen,
    {{ utc('mentions.last_seen') }} as last_seen,
    cast(mentions.run_id as varchar) as run_id
from mentions
inner join resolution on resolution.member_id = mentions.member_id
left join places on places.geonameid = resolution.city_id
