-- Member mentions of complete runs, with the name key of the member name and the country the mention
-- states (via the key of its country text).
with mentions as (
    select *
    from {{ source('raw', 'member_mentions') }}
    where run_id in (select run_id from {{ ref('stg_runs') }})
    qualify row_number() over (partition by mention_id order by position) = 1
)

select
    mentions.mention_id,
    mentions.fetch_id,
    mentions.run_id,
    mentions.network_id,
    mentions.position,
    mentions.member_name,
    name_keys.name_key,
    mentions.country as country_text,
    country_names.country_code as stated_country_code,
    mentions.role,
    mentions.joined,
    nullif(trim(mentions.member_kind), '') as member_kind,
    mentions.source_url,
    nullif(trim(mentions.left_on), '') as left_on
from mentions
left join {{ ref('stg_text_keys') }} as name_keys
    on name_keys.text = mentions.member_name
left join {{ ref('stg_text_keys') }} as country_keys
    on country_keys.text = mentions.country
left join {{ ref('stg_country_names') }} as country_names
    on country_names.name_key = country_keys.name_key
