-- The current spells are exactly the current memberships: same members, same cities.
with spells as (
    select member_id, network_id, city_id from {{ ref('fct_membership_spell') }} where is_current
),

current as (
    select member_id, network_id, city_id from {{ ref('fct_membership') }}
)

(select 'spell without membership' as problem, * from spells except select 'spell without membership', * from current)
union all
(select 'membership without spell', * from current except select 'membership without spell', * from spells)
