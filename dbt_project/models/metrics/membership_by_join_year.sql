-- Metric 9 (second part): members by the join year the network publishes (the year of joined_on: the first
-- date between 1800 and 2099 in the published join text), for networks that publish one. Current members as published
-- (resolved to a city or not), plus the past members sources date: those that joined in the year and the
-- departures the sources date in it.
with membership as (
    select * from {{ ref('fct_membership') }}
),

spells as (
    select * from {{ ref('fct_membership_spell') }}
),

events as (
    select network_id, year(joined_on) as year, 1 as joined_current, 0 as joined_past, 0 as left_n
    from membership
    union all
    select network_id, year(joined_on), 0, 1, 0
    from spells
    where basis = 'published'
    union all
    select network_id, year(left_on), 0, 0, 1
    from spells
    where basis = 'published'
),

per_year as (
    select
        network_id,
        year as join_year,
        sum(joined_current) as members_joined,
        sum(joined_past) as past_members_joined,
        sum(left_n) as members_left
    from events
    where year is not null
    group by network_id, year
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
        per_year.members_joined / nullif(sum(per_year.members_joined) over (partition by per_year.network_id), 0)
        as double
    ) as share_of_dated_members,
    cast(
        sum(per_year.members_joined) over (partition by per_year.network_id) as bigint
    ) as dated_members,
    cast(coalesce(network_members.n_members, 0) as bigint) as network_members,
    cast(per_year.past_members_joined as bigint) as past_members_joined,
    cast(per_year.members_left as bigint) as members_left
from per_year
left join network_members on network_members.network_id = per_year.network_id
