-- city_network_degree counts every distinct (network, resolved city) of fct_membership exactly once.
with expected as (
    select count(*) as n
    from (select distinct network_id, city_id from {{ ref('fct_membership') }} where city_id is not null)
),

actual as (
    select coalesce(sum(n_networks), 0) as n from {{ ref('city_network_degree') }}
)

select expected.n as expected, actual.n as actual
from expected, actual
where expected.n <> actual.n
