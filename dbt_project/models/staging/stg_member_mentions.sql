-- Member mentions of complete runs, with the name key of the member name and the country the mention
-- states (via the key of its country text). One copy per network and distinct content (stg_run_contents):
-- the mentions of the first complete run that fetched it. A later run with the same content holds the same
-- mentions, so history models read each content once however many runs repeated it.
with first_contents as (
    select run_id, network_id, content_key
    from {{ ref('stg_run_contents') }}
    qualify row_number() over (partition by network_id, content_key order by run_seq) = 1
),

mentions as (
    select mentions.*, first_contents.content_key
    from {{ source('raw', 'member_mentions') }} as mentions
    inner join first_contents
        on first_contents.run_id = mentions.run_id and first_contents.network_id = mentions.network_id
    qualify row_number() over (partition by mentions.mention_id order by mentions.position) = 1
)

select
    mentions.mention_id,
    mentions.fetch_id,
    mentions.run_id,
    mentions.network_id,
    mentions.content_key,
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
