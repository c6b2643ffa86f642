-- Metric 2 in both directions: network_overlap's rows once as (network_a, network_b) and once swapped, so a
-- filter on network_id alone finds every pair a network is in. The figures are network_overlap's (shared,
-- jaccard and the overlap coefficient are symmetric); members / other_members follow the direction, and
-- share_of_members (shared / members) is the one directed figure: how much of this network the other holds.
with overlap as (
    select * from {{ ref('network_overlap') }}
),

both_directions as (
    select
        network_a as network_id, network_b as other_network_id, members_a as members, members_b as other_members,
        shared, jaccard, overlap_coefficient, shared_city_ids
    from overlap
    union all
    select
        network_b, network_a, members_b, members_a,
        shared, jaccard, overlap_coefficient, shared_city_ids
    from overlap
)

select
    cast(network_id as varchar) as network_id,
    cast(other_network_id as varchar) as other_network_id,
    cast(members as bigint) as members,
    cast(other_members as bigint) as other_members,
    cast(shared as bigint) as shared,
    cast(jaccard as double) as jaccard,
    cast(overlap_coefficient as double) as overlap_coefficient,
    cast(shared / members as double) as share_of_members,
    cast(shared_city_ids as bigint[]) as shared_city_ids
from both_directions
