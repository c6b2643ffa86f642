-- One row per network in the registry, with its current data status.
with latest_good as (
    select network_id, run_id, started_at
    from {{ ref('int_network_good_runs') }}
    where is_latest_good
),

latest_attempt as (
    select network_id, run_id, started_at, is_good
    from {{ ref('int_network_good_runs') }}
    where is_latest_attempt
),

member_counts as (
    select
        mentions.network_id,
        count(*) as n_members,
        count(resolution.city_id) as n_members_resolved
    from {{ ref('int_current_mentions') }} as mentions
    inner join {{ ref('int_member_resolution') }} as resolution on resolution.member_id = mentions.member_id
    group by mentions.network_id
)

select
    cast(registry.network_id as varchar) as network_id,
    cast(registry.name as varchar) as name,
    cast(registry.acronym as varchar) as acronym,
    cast(registry.founded_year as integer) as founded_year,
    cast(registry.scope as varchar) as scope,
    cast(registry.region as varchar) as region,
    cast(registry.country_code as varchar) as country_code,
    cast(registry.network_type as varchar) as network_type,
    cast(registry.fn_information_sharing as boolean) as fn_information_sharing,
    cast(registry.fn_showcasing as boolean) as fn_showcasing,
    cast(registry.fn_story_telling as boolean) as fn_story_telling,
    cast(registry.fn_shaming as boolean) as fn_shaming,
    cast(registry.fn_seeking_support as boolean) as fn_seeking_support,
    cast(registry.fn_standard_setting as boolean) as fn_standard_setting,
    cast(registry.tags as json) as tags,
    cast(registry.website as varchar) as website,
    cast(registry.members_url as varchar) as members_url,
    cast(registry.member_source_urls as varchar[]) as member_source_urls,
    cast(registry.stated_member_count as integer) as stated_member_count,
    cast(registry.stated_member_count_text as varchar) as stated_member_count_text,
    cast(registry.stated_member_count_as_of as varchar) as stated_member_count_as_of,
    cast(registry.cited_sources as json) as cited_sources,
    cast(registry.registry_version as varchar) as registry_version,
    cast(latest_good.run_id as varchar) as data_run_id,
    cast(latest_good.started_at as timestamp) as data_as_of,
    cast(latest_attempt.run_id as varchar) as latest_attempt_run_id,
    cast(latest_attempt.is_good as boolean) as latest_attempt_ok,
    cast(coalesce(member_counts.n_members, 0) as bigint) as n_members,
    cast(coalesce(member_counts.n_members_resolved, 0) as bigint) as n_members_resolved,
    -- how complete the published list is: members published / the count the network states (as of
    -- stated_member_count_as_of); null when it states none
    cast(coalesce(member_counts.n_members, 0) / nullif(registry.stated_member_count, 0) as double) as coverage,
    cast(registry.coverage_floor as double) as coverage_floor,
    cast(
        {%- for fn in network_functions() %}
        (registry.fn_{{ fn }} is not null)::integer{{ " +" if not loop.last }}
        {%- endfor %}
        as integer
    ) as n_functions_coded
from {{ ref('stg_registry_networks') }} as registry
left join latest_good on latest_good.network_id = registry.network_id
left join latest_attempt on latest_attempt.network_id = registry.network_id
left join member_counts on member_counts.network_id = registry.network_id
