-- Every current membership comes from its network's latest good run, the run dim_network reports.
select membership.network_id, membership.run_id, network.data_run_id
from {{ ref('fct_membership') }} as membership
inner join {{ ref('dim_network') }} as network on network.network_id = membership.network_id
where network.data_run_id is distinct from membership.run_id
