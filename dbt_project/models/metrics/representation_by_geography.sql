-- Metric 5: per network and country: member cities, their share of the network's member cities, the same for
-- the country's continent, and the network's Herfindahl index of member cities across countries
-- (sum of squared country shares: 1 = all in one country, 1/n = spread evenly over n countries).
with member_cities as (
    select distinct membership.network_id, cities.city_id, cities.country_code, cities.country, cities.continent
    from {{ ref('fct_membership') }} as membership
    inner join {{ ref('dim_city') }} as cities on cities.city_id = membership.city_id
),

by_country as (
    select network_id, country_code, min(country) as country, min(continent) as continent, count(*) as members
    from member_cities
    group by network_id, country_code
),

shared as (
    select
        *,
        sum(members) over (partition by network_id) as network_members,
        sum(members) over (partition by network_id, continent) as continent_members,
        count(*) over (partition by network_id) as n_countries,
        members / sum(members) over (partition by network_id) as share
    from by_country
)

select
    cast(network_id as varchar) as network_id,
    cast(continent as varchar) as continent,
    cast(country_code as varchar) as country_code,
    cast(country as varchar) as country,
    cast(members as bigint) as members,
    cast(share as double) as share,
    cast(continent_members as bigint) as continent_members,
    cast(continent_members / network_members as double) as continent_share,
    cast(network_members as bigint) as network_members,
    cast(n_countries as bigint) as n_countries,
    cast(sum(share * share) over (partition by network_id) as double) as herfindahl_countries
from shared
