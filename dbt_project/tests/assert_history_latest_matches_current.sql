-- metrics_history at the latest complete run equals the current metrics: members and member cities per network
-- and in all, the Jaccard index of every pair, and the number of most connected cities.
with latest as (
    select * from {{ ref('metrics_history') }}
    where run_seq = (select max(run_seq) from {{ ref('metrics_history') }})
),

expected as (
    select 'members' as metric, network_id as key, n_members::double as value
    from {{ ref('dim_network') }} where n_members > 0
    union all
    select 'member_cities', network_id, n_member_cities::double
    from {{ ref('representation_profile') }} where n_member_cities > 0
    union all
    select 'jaccard', network_a || '|' || network_b, jaccard from {{ ref('network_overlap') }}
    union all
    select 'members', 'all', sum(n_members)::double from {{ ref('dim_network') }}
    union all
    select 'member_cities', 'all', count(*)::double from {{ ref('dim_city') }} where in_networks_now > 0
    union all
    select 'most_connected_cities', 'all', count(*)::double from {{ ref('most_connected_cities') }}
),

actual as (
    select metric, key, value from latest
    where metric in ('members', 'member_cities', 'jaccard', 'most_connected_cities')
)

select coalesce(expected.metric, actual.metric) as metric, coalesce(expected.key, actual.key) as key,
    expected.value as expected, actual.value as actual
from expected
full outer join actual on actual.metric = expected.metric and actual.key = expected.key
where expected.value is null or actual.value is null or abs(expected.value - actual.value) > 1e-9
