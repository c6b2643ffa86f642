-- Metric 2: one row per unordered pair of networks with at least one resolved member (network_a <
-- network_b), counting distinct member cities:
--   jaccard = shared / (members_a + members_b - shared), overlap_coefficient = shared / least(members_a, members_b)
with network_cities as (
    select distinct network_id, city_id
    from {{ ref('fct_membership') }}
    where city_id is not null
),

sizes as (
    select network_id, count(*) as n_cities
    from network_cities
    group by network_id
),

pairs as (
    select a.network_id as network_a, b.network_id as network_b, a.n_cities as members_a, b.n_cities as members_b
    from sizes as a
    inner join sizes as b on a.network_id < b.network_id
),

shared as (
    select
        a.network_id as network_a,
        b.network_id as network_b,
        count(*) as shared,
        list_sort(list(a.city_id)) as shared_city_ids
    from network_cities as a
    inner join network_cities as b on b.city_id = a.city_id and a.network_id < b.network_id
    group by a.network_id, b.network_id
)

select
    cast(pairs.network_a as varchar) as network_a,
    cast(pairs.network_b as varchar) as network_b,
    cast(pairs.members_a as bigint) as members_a,
    cast(pairs.members_b as bigint) as members_b,
    cast(coalesce(shared.shared, 0) as bigint) as shared,
    cast(
        coalesce(shared.shared, 0) / (pairs.members_a + pairs.members_b - coalesce(shared.shared, 0))
        as double
    ) as jaccard,
    cast(coalesce(shared.shared, 0) / least(pairs.members_a, pairs.members_b) as double) as overlap_coefficient,
    cast(coalesce(shared.shared_city_ids, []) as bigint[]) as shared_city_ids
from pairs
left join shared on shared.network_a = pairs.network_a and shared.network_b = pairs.network_b
