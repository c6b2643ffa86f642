-- Name keys of raw texts, computed in Python (warehouse/); one row per text. An empty key means the text
-- holds nothing to match on (e.g. only punctuation) and becomes null.
select
    text,
    nullif(min(name_key), '') as name_key
from {{ source('ref', 'text_keys') }}
group by text
