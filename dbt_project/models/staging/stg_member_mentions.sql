-- Member mentions as the loader stored them (raw.member_mentions: every run's), fields trimmed where blank
-- means none. int_member_mentions keeps one copy per distinct content and adds name keys and countries.
with source as (
    select * from {{ source('raw', 'member_mentions') }}
),

renamed as (
    select
        mention_id,
        fetch_id,
        run_id,
        network_id,
        position,
        member_name,
        country as country_text,
        role,
        joined,
        nullif(trim(member_kind), '') as member_kind,
        source_url,
        nullif(trim(left_on), '') as left_on,
        -- the member's place as its source gives it beside the name (a table's place column): a hint for
        -- city resolution
        nullif(trim(attributes ->> 'place'), '') as place_hint
    from source
)

select * from renamed
