-- No member whose name denotes a council, shire, county or borough has the city_id of a place under 10,000
-- inhabitants unless that place is the area's own main town. What SQL can check of "main town": the resolver
-- names the area (admin_geonameid) and the town carries the area's name (the member name contains it); a
-- county is never given a town at all. Returns the members that break it.
select
    membership.network_id,
    membership.member_id,
    membership.member_name,
    membership.city_id,
    city.name as city_name,
    city.population,
    membership.admin_geonameid
from {{ ref('fct_membership') }} as membership
inner join {{ ref('dim_city') }} as city on city.city_id = membership.city_id
where
    regexp_matches(lower(membership.member_name), '\b(council|shire|county|borough)\b')
    and (
        regexp_matches(lower(membership.member_name), '\bcounty\b')
        or (
            coalesce(city.population, 0) < 10000
            and (
                membership.admin_geonameid is null
                or strpos(lower(membership.member_name), lower(city.name)) = 0
            )
        )
    )
