-- network_overlap has one row per unordered pair of networks with at least one resolved member: n(n-1)/2.
with networks as (
    select count(distinct network_id) as n from {{ ref('fct_membership') }} where city_id is not null
),

pairs as (
    select count(*) as n from {{ ref('network_overlap') }}
)

select networks.n as n_networks, pairs.n as n_pairs
from networks, pairs
where pairs.n <> networks.n * (networks.n - 1) / 2
