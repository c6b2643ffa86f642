-- The six functions of Oomen et al. per network, as the registry codes them: one row per network and
-- function with the value (yes | no | unknown), the source that says so and the coder's note. A bare
-- true/false in a user registry shows as yes/no without a source.
with codings as (
    {%- for fn in network_functions() %}
    select
        network_id,
        '{{ fn }}' as function_name,
        fn_{{ fn }} as performs,
        function_codings -> '$.{{ fn }}' as coding
    from {{ ref('int_registry_networks') }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
)

select
    cast(network_id as varchar) as network_id,
    cast(function_name as varchar) as function_name,
    cast(
        case when performs then 'yes' when not performs then 'no' else 'unknown' end as varchar
    ) as value,
    cast(performs as boolean) as performs,
    cast(case when json_type(coding) = 'OBJECT' then coding ->> '$.source' end as varchar) as source,
    cast(case when json_type(coding) = 'OBJECT' then coding ->> '$.note' end as varchar) as note
from codings
