-- Metric 3: the pairs of network_overlap with how alike the two networks' functions are (the six functions
-- of Oomen et al. in the registry). A network's function set holds the functions marked true; a function left
-- unknown (null) counts as not performed, and n_functions_known_* shows how much is known.
--   function_jaccard = |shared functions| / |functions of either|; null when either network has no function
--                      known or neither performs any
--   redundancy       = jaccard * function_jaccard (high = the same members doing the same things)
{% set functions = network_functions() %}
with network_functions as (
    select
        network_id,
        list_filter([
            {%- for fn in functions %}
            case when fn_{{ fn }} then '{{ fn }}' end{{ "," if not loop.last }}
            {%- endfor %}
        ], lambda f: f is not null) as functions,
        (
            {%- for fn in functions %}
            (fn_{{ fn }} is not null)::integer{{ " +" if not loop.last }}
            {%- endfor %}
        ) as n_functions_known
    from {{ ref('dim_network') }}
),

paired as (
    select
        overlap.network_a,
        overlap.network_b,
        overlap.shared,
        overlap.jaccard,
        fa.functions as functions_a,
        fb.functions as functions_b,
        fa.n_functions_known as n_functions_known_a,
        fb.n_functions_known as n_functions_known_b,
        list_intersect(fa.functions, fb.functions) as shared_functions,
        list_distinct(list_concat(fa.functions, fb.functions)) as either_functions
    from {{ ref('network_overlap') }} as overlap
    inner join network_functions as fa on fa.network_id = overlap.network_a
    inner join network_functions as fb on fb.network_id = overlap.network_b
),

scored as (
    select
        *,
        case
            when n_functions_known_a = 0 or n_functions_known_b = 0 or len(either_functions) = 0 then null
            else len(shared_functions) / len(either_functions)
        end as function_jaccard
    from paired
)

select
    cast(network_a as varchar) as network_a,
    cast(network_b as varchar) as network_b,
    cast(shared as bigint) as shared,
    cast(jaccard as double) as jaccard,
    cast(list_sort(functions_a) as varchar[]) as functions_a,
    cast(list_sort(functions_b) as varchar[]) as functions_b,
    cast(list_sort(shared_functions) as varchar[]) as shared_functions,
    cast(n_functions_known_a as integer) as n_functions_known_a,
    cast(n_functions_known_b as integer) as n_functions_known_b,
    cast(function_jaccard as double) as function_jaccard,
    cast(jaccard * function_jaccard as double) as redundancy
from scored
