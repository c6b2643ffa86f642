-- Organisations that fund, sponsor, host or partner with networks (from the registry).
select
    cast(funder_id as varchar) as funder_id,
    cast(min(funder_name) as varchar) as name,
    cast(count(distinct network_id) as bigint) as n_networks
from {{ ref('int_network_funders') }}
group by funder_id
