-- Metric 7: networks of the registry founded per year and cumulatively, overall (breakdown 'all') and by
-- scope and by network type (breakdown 'scope' / 'network_type', group_value the scope or type), each year
-- with its Lacroix period (var('timeline_periods'): before 2000, 2000-2010, 2011 on). Networks without a
-- known founding year are left out (dim_network shows them with founded_year null).
with founded as (
    select network_id, founded_year, scope, network_type
    from {{ ref('dim_network') }}
    where founded_year is not null
),

long as (
    select 'all' as breakdown, 'all' as group_value, founded_year from founded
    union all
    select 'scope' as breakdown, coalesce(scope, 'unknown') as group_value, founded_year from founded
    union all
    select 'network_type' as breakdown, coalesce(network_type, 'unknown') as group_value, founded_year from founded
),

per_year as (
    select breakdown, group_value, founded_year, count(*) as n_founded
    from long
    group by breakdown, group_value, founded_year
)

select
    cast(breakdown as varchar) as breakdown,
    cast(group_value as varchar) as group_value,
    cast(founded_year as integer) as founded_year,
    cast({{ timeline_period('founded_year') }} as varchar) as period,
    cast(n_founded as bigint) as n_founded,
    cast(
        sum(n_founded) over (partition by breakdown, group_value order by founded_year) as bigint
    ) as cumulative_founded
from per_year
