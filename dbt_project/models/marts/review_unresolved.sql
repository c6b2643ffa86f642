-- Current members that did not resolve to a place, for a person to review (and later a manual override).
select
    cast(membership.network_id as varchar) as network_id,
    cast(membership.member_id as varchar) as member_id,
    cast(membership.member_name as varchar) as member_name,
    cast(membership.country_text as varchar) as country_text,
    cast(membership.country_code as varchar) as country_code,
    cast(membership.member_kind as varchar) as member_kind,
    cast(resolution.unresolved_reason as varchar) as reason,
    cast(membership.n_candidates as bigint) as n_candidates,
    cast(membership.source_url as varchar) as source_url,
    cast(membership.first_seen as timestamp) as first_seen
from {{ ref('fct_membership') }} as membership
inner join {{ ref('int_member_resolution') }} as resolution on resolution.member_id = membership.member_id
where membership.city_id is null
