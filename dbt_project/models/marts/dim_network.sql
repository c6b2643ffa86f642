-- One row per network in the registry, with its current data status.
with registry as (
    select * from {{ ref('int_registry_networks') }}
),

good_runs as (
    select * from {{ ref('int_network_good_runs') }}
),

current_mentions as (
    select * from {{ ref('int_current_mentions') }}
),

resolution as (
    select * from {{ ref('int_member_resolution') }}
),

latest_good as (
    select network_id, run_id, started_at
    from good_runs
    where is_latest_good
),

latest_attempt as (
    select network_id, run_id, started_at, is_good, is_retirement
    from good_runs
    where is_latest_attempt
),

member_counts as (
    select
        current_mentions.network_id,
        count(*) as n_members,
        count(resolution.city_id) as n_members_resolved
    from current_mentions
    inner join resolution on resolution.member_id = current_mentions.member_id
    group by current_mentions.network_id
),

networks as (
    select
        registry.*,
        coalesce(member_counts.n_members, 0) as n_members,
        coalesce(member_counts.n_members_resolved, 0) as n_members_resolved,
        -- how complete the published list is: members published / the count the network states; unknown (null)
        -- when there is no list to count or no count to compare with
        coalesce(member_counts.n_members, 0) / nullif(registry.stated_member_count, 0) as coverage_ratio,
        case
            when len(registry.member_source_urls) = 0 and coalesce(member_counts.n_members, 0) = 0
                then 'no member list: the network publishes none'
            when coalesce(member_counts.n_members, 0) = 0
                then 'no member list collected yet: no good run of its sources'
            when coalesce(registry.stated_member_count, 0) = 0
                then 'no stated member count to compare with'
        end as no_coverage_reason
    from registry
    left join member_counts on member_counts.network_id = registry.network_id
)

select
    cast(networks.network_id as varchar) as network_id,
    cast(networks.name as varchar) as name,
    cast(networks.acronym as varchar) as acronym,
    cast(networks.founded_year as integer) as founded_year,
    cast(networks.closed_year as integer) as closed_year,
    cast(networks.scope as varchar) as scope,
    cast(networks.region as varchar) as region,
    cast(networks.country_code as varchar) as country_code,
    cast(networks.network_type as varchar) as network_type,
    cast(networks.fn_information_sharing as boolean) as fn_information_sharing,
    cast(networks.fn_showcasing as boolean) as fn_showcasing,
    cast(networks.fn_story_telling as boolean) as fn_story_telling,
    cast(networks.fn_shaming as boolean) as fn_shaming,
    cast(networks.fn_seeking_support as boolean) as fn_seeking_support,
    cast(networks.fn_standard_setting as boolean) as fn_standard_setting,
    cast(networks.tags as json) as tags,
    cast(networks.website as varchar) as website,
    cast(networks.members_url as varchar) as members_url,
    cast(networks.member_source_urls as varchar[]) as member_source_urls,
    cast(networks.stated_member_count as integer) as stated_member_count,
    cast(networks.stated_member_count_text as varchar) as stated_member_count_text,
    cast({{ published_date_on('networks.stated_member_count_as_of') }} as date) as stated_member_count_as_of,
    cast({{ published_date_precision('networks.stated_member_count_as_of') }} as varchar)
        as stated_member_count_as_of_precision,
    -- the registry's text when it says more than the date ("c.2025-11 (page names ...)", "2019-2023 (phase II)")
    cast(
        case
            when networks.stated_member_count_as_of
                <> {{ published_date_token('networks.stated_member_count_as_of') }}
                then networks.stated_member_count_as_of
        end as varchar
    ) as stated_member_count_as_of_note,
    cast(networks.cited_sources as json) as cited_sources,
    cast(networks.registry_version as varchar) as registry_version,
    cast(latest_good.run_id as varchar) as data_run_id,
    {{ utc('latest_good.started_at') }} as data_as_of,
    cast(latest_attempt.run_id as varchar) as latest_attempt_run_id,
    cast(latest_attempt.is_good as boolean) as latest_attempt_ok,
    cast(networks.n_members as bigint) as n_members,
    cast(networks.n_members_resolved as bigint) as n_members_resolved,
    cast(case when networks.no_coverage_reason is null then networks.coverage_ratio end as double) as coverage,
    cast(coalesce(latest_attempt.is_retirement, false) as boolean) as is_retired,
    cast(
        coalesce(
            case when latest_attempt.is_retirement then 'retired: the network left the registry' end,
            networks.no_coverage_reason,
            case
                when networks.coverage_ratio > 1 then
                    'the list holds more members than the network states'
                    || coalesce(' (as of ' || networks.stated_member_count_as_of || ')', '')
                    || ': the statement is older than the list or counts differently'
            end
        ) as varchar
    ) as coverage_note,
    cast(networks.coverage_floor as double) as coverage_floor,
    cast(
        {%- for fn in network_functions() %}
        (networks.fn_{{ fn }} is not null)::integer{{ " +" if not loop.last }}
        {%- endfor %}
        as integer
    ) as n_functions_coded
from networks
left join latest_good on latest_good.network_id = networks.network_id
left join latest_attempt on latest_attempt.network_id = networks.network_id
