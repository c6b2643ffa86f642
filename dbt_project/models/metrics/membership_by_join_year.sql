-- Metric 9 (second part): current members by the join year the network publishes (the first year between
-- 1800 and 2099 found in the published `joined` text), for networks that publish one. Counts memberships as
-- published, resolved to a city or not.
with dated as (
    select
        network_id,
        try_cast(regexp_extract(joined, '(18[0-9]{2}|19[0-9]{2}|20[0-9]{2})', 1) as integer) as join_year
    from {{ ref('fct_membership') }}
    where joined is not null
),

per_year as (
    select network_id, join_year, count(*) as members_joined
    from dated
    where join_year is not null
    group by network_id, join_year
),

network_members as (
    select network_id, count(*) as n_members
    from {{ ref('fct_membership') }}
    group by network_id
)

select
    cast(per_year.network_id as varchar) as network_id,
    cast(per_year.join_year as integer) as join_year,
    cast(per_year.members_joined as bigint) as members_joined,
    cast(
        sum(per_year.members_joined) over (partition by per_year.network_id order by per_year.join_year)
        as bigint
    ) as cumulative_members,
    cast(
        per_year.members_joined / sum(per_year.members_joined) over (partition by per_year.network_id)
        as double
    ) as share_of_dated_members,
    cast(
        sum(per_year.members_joined) over (partition by per_year.network_id) as bigint
    ) as dated_members,
    cast(network_members.n_members as bigint) as network_members
from per_year
inner join network_members on network_members.network_id = per_year.network_id
