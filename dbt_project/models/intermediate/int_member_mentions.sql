-- Member mentions of complete runs, with the name key of the member name and the country the mention
-- states (via the key of its country text). One copy per network and distinct content (int_run_contents):
-- the mentions of the first complete run that fetched it. A later run with the same content holds the same
-- mentions, so history models read each content once however many runs repeated it.
with mentions as (
    select * from {{ ref('stg_member_mentions') }}
),

run_contents as (
    select * from {{ ref('int_run_contents') }}
),

text_keys as (
    select * from {{ ref('stg_text_keys') }}
),

country_names as (
    select * from {{ ref('stg_country_names') }}
),

first_contents as (
    select run_id, network_id, content_key
    from run_contents
    qualify row_number() over (partition by network_id, content_key order by run_seq) = 1
),

first_mentions as (
    select mentions.*, first_contents.content_key
    from mentions
    inner join first_contents
        on first_contents.run_id = mentions.run_id and first_contents.network_id = mentions.network_id
    qualify row_number() over (partition by mentions.mention_id order by mentions.position) = 1
)

select
    first_mentions.mention_id,
    first_mentions.fetch_id,
    first_mentions.run_id,
    first_mentions.network_id,
    first_mentions.content_key,
    first_mentions.position,
    first_mentions.member_name,
    name_keys.name_key,
    first_mentions.country_text,
    country_names.country_code as stated_country_code,
    first_mentions.role,
    first_mentions.joined,
    first_mentions.member_kind,
    first_mentions.source_url,
    first_mentions.left_on,
    first_mentions.place_hint
from first_mentions
left join text_keys as name_keys
    on name_keys.text = first_mentions.member_name
left join text_keys as country_keys
    on country_keys.text = first_mentions.country_text
left join country_names
    on country_names.name_key = country_keys.name_key
