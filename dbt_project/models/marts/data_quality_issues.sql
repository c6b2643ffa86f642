-- Values that contradict each other, flagged rather than hidden: one row per flagged network or membership and
-- check. The data stays as published; this table says where it disagrees with itself (tests/generic/
-- flagged_rows.sql turns each check into a dbt warning).
with networks as (
    select * from {{ ref('dim_network') }}
),

membership as (
    select * from {{ ref('fct_membership') }}
),

spells as (
    select * from {{ ref('fct_membership_spell') }}
),

cities as (
    select * from {{ ref('dim_city') }}
),

-- every membership, current or past, with the join date its source publishes (a member's latest spell)
memberships_with_dates as (
    select network_id, member_id, member_name, city_id, joined_text, joined_on
    from spells
    where joined_on is not null
    qualify row_number() over (partition by member_id order by spell_seq desc, valid_from desc nulls last) = 1
),

join_before_founding as (
    select
        'join_before_founding' as check_name,
        memberships.network_id,
        memberships.member_id,
        memberships.member_name,
        memberships.city_id,
        'joined ' || memberships.joined_text || ', but the network was founded in ' || networks.founded_year
            as detail
    from memberships_with_dates as memberships
    inner join networks on networks.network_id = memberships.network_id
    where year(memberships.joined_on) < networks.founded_year
),

coverage_above_one as (
    select
        'coverage_above_one' as check_name,
        network_id,
        null as member_id,
        null as member_name,
        null as city_id,
        n_members || ' members listed, ' || stated_member_count || ' stated'
            || coalesce(
                ' (as of '
                || {{ format_published_date('stated_member_count_as_of', 'stated_member_count_as_of_precision') }}
                || ')',
                ''
            )
            || ': coverage ' || round(coverage, 2) as detail
    from networks
    where coverage > 1
),

member_after_closing as (
    select
        'member_after_closing' as check_name,
        memberships.network_id,
        memberships.member_id,
        memberships.member_name,
        memberships.city_id,
        'joined ' || memberships.joined_text || ', after the network closed in ' || networks.closed_year as detail
    from memberships_with_dates as memberships
    inner join networks on networks.network_id = memberships.network_id
    where year(memberships.joined_on) > networks.closed_year
),

-- the same member name (its key) with the same country hint, resolved to different cities in different networks
name_keys_with_several_cities as (
    select name_key, name_country_hint
    from membership
    where city_id is not null and name_key is not null
    group by name_key, name_country_hint
    having count(distinct city_id) > 1
),

same_name_different_cities as (
    select
        'same_name_different_cities' as check_name,
        membership.network_id,
        membership.member_id,
        membership.member_name,
        membership.city_id,
        'resolved to ' || cities.name || ' (' || membership.city_id || ', ' || cities.country_code
            || coalesce(', ' || cities.admin1_name, '') || '); the same name'
            || coalesce(' in ' || membership.name_country_hint, ' without a country')
            || ' resolves to another city in another network' as detail
    from membership
    inner join name_keys_with_several_cities as conflicts
        on conflicts.name_key = membership.name_key
        and conflicts.name_country_hint is not distinct from membership.name_country_hint
    inner join cities on cities.city_id = membership.city_id
),

issues as (
    select * from join_before_founding
    union all
    select * from coverage_above_one
    union all
    select * from member_after_closing
    union all
    select * from same_name_different_cities
)

select
    cast(check_name as varchar) as check_name,
    cast(network_id as varchar) as network_id,
    cast(member_id as varchar) as member_id,
    cast(member_name as varchar) as member_name,
    cast(city_id as bigint) as city_id,
    cast(detail as varchar) as detail
from issues
