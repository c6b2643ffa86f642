-- Every breakdown of network_timeline counts each network with a founding year exactly once, and each
-- group's last cumulative count is its total.
with expected as (
    select count(*) as n from {{ ref('dim_network') }} where founded_year is not null
),

per_breakdown as (
    select breakdown, sum(n_founded) as n from {{ ref('network_timeline') }} group by breakdown
),

per_group as (
    select breakdown, group_value, sum(n_founded) as total, max(cumulative_founded) as last_cumulative
    from {{ ref('network_timeline') }}
    group by breakdown, group_value
)

select per_breakdown.breakdown, per_breakdown.n as counted, expected.n as expected, null as group_value
from per_breakdown, expected
where per_breakdown.n <> expected.n
union all
select breakdown, total, last_cumulative, group_value
from per_group
where total <> last_cumulative
