-- Name keys of raw texts, computed in Python (warehouse/); one row per text. An empty key means the text
-- holds nothing to match on (e.g. only punctuation) and becomes null.
with source as (
    select * from {{ source('ref', 'text_keys') }}
),

renamed as (
    select
        text,
        name_key
    from source
)

select text, nullif(min(name_key), '') as name_key
from renamed
group by text
