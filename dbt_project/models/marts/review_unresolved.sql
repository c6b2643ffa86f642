-- Current members that did not resolve to a place, for a person to review (and later a manual override).
with membership as (
    select * from {{ ref('fct_membership') }}
),

resolution as (
    select * from {{ ref('int_member_resolution') }}
)

select
    cast(membership.network_id as varchar) as network_id,
    cast(membership.member_id as varchar) as member_id,
    cast(membership.member_name as varchar) as member_name,
    cast(membership.country_text as varchar) as country_text,
    cast(membership.name_country_hint as varchar) as name_country_hint,
    cast(membership.member_kind as varchar) as member_kind,
    cast(resolution.unresolved_reason as varchar) as reason,
    cast(membership.n_candidates as bigint) as n_candidates,
    cast(membership.source_url as varchar) as source_url,
    membership.first_seen
from membership
inner join resolution on resolution.member_id = membership.member_id
where membership.city_id is null
