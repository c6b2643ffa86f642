-- Which organisation supports which network, in which role, according to which source.
select
    cast(network_id as varchar) as network_id,
    cast(funder_id as varchar) as funder_id,
    cast(role as varchar) as role,
    cast(source as varchar) as source
from {{ ref('int_network_funders') }}
