{{ config(tags=['run_keyed']) }}
-- Each distinct parsed content of a fetch, stored once (raw.mention_sets): one row per content and position.
with source as (
    select * from {{ source('raw', 'mention_sets') }}
),

renamed as (
    select
        mentions_sha256,
        position,
        member_name,
        country as country_text,
        role,
        joined,
        member_kind,
        source_url,
        left_on
    from source
)

select * from renamed
