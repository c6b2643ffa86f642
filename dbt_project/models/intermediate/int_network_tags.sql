-- Registry tags in long form: one row per network, tag key and value (list-valued tags give one row per
-- element; null values are dropped).
with tag_keys as (
    select network_id, tags, unnest(json_keys(tags)) as tag_key
    from {{ ref('int_registry_networks') }}
),

tag_values as (
    select network_id, tag_key, tags -> tag_key as tag_json
    from tag_keys
)

select network_id, tag_key, tag_json ->> '$' as tag_value
from tag_values
where json_type(tag_json) not in ('ARRAY', 'OBJECT', 'NULL')
union
select network_id, tag_key, unnest(from_json(tag_json, '["VARCHAR"]')) as tag_value
from tag_values
where json_type(tag_json) = 'ARRAY'
