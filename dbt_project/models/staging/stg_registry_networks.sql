-- Registry entries as each run loaded them (every run's: int_registry_networks keeps each network's latest of
-- a complete run), one row per run and network, with the JSON fields extracted.
with source as (
    select * from {{ source('raw', 'registry_networks') }}
),

renamed as (
    select
        run_id as registry_run_id,
        network_id,
        doc ->> '$.id' as doc_id,
        doc ->> '$.name' as name,
        doc ->> '$.acronym' as acronym,
        cast(doc ->> '$.founded_year' as integer) as founded_year,
        -- the year the network closed or ended its programme, when the registry records one
        try_cast(doc ->> '$.closed_year' as integer) as closed_year,
        doc ->> '$.scope' as scope,
        doc ->> '$.region' as region,
        upper(doc ->> '$.country_code') as country_code,
        doc ->> '$.network_type' as network_type,
        doc ->> '$.website' as website,
        doc ->> '$.members_url' as members_url,
        cast(doc ->> '$.stated_member_count' as integer) as stated_member_count,
        doc ->> '$.stated_member_count_text' as stated_member_count_text,
        doc ->> '$.stated_member_count_as_of' as stated_member_count_as_of,
        -- the six functions of Oomen et al.; null = unknown
        {%- for fn in network_functions() %}
        {{ registry_function('doc', fn) }} as fn_{{ fn }},
        {%- endfor %}
        case when json_type(doc -> '$.functions') = 'OBJECT' then doc -> '$.functions' else '{}'::json end
            as function_codings,
        try_cast(doc ->> '$.coverage_floor' as double) as coverage_floor,
        case when json_type(doc -> '$.tags') = 'OBJECT' then doc -> '$.tags' else '{}'::json end as tags,
        case when json_type(doc -> '$.funders') = 'ARRAY' then doc -> '$.funders' else '[]'::json end as funders,
        case
            when json_type(doc -> '$.cited_sources') = 'OBJECT' then doc -> '$.cited_sources' else '{}'::json
        end as cited_sources,
        case
            when json_type(doc -> '$.sources') = 'ARRAY'
                -- a curated file (`path:`) has no URL: its rows carry their own source_url
                then list_filter(
                    list_transform(from_json(doc -> '$.sources', '[{"url": "VARCHAR"}]'), lambda s: s.url),
                    lambda url: url is not null
                )
            else []::varchar[]
        end as member_source_urls,
        registry_version
    from source
)

select *
from renamed
-- a run loads each network once; a reloaded run must not show it twice
qualify row_number() over (partition by registry_run_id, network_id order by registry_version) = 1
