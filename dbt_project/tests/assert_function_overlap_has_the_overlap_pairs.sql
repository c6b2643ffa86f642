-- network_function_overlap has exactly the pairs of network_overlap, with the same Jaccard index.
(select network_a, network_b, jaccard from {{ ref('network_overlap') }}
 except select network_a, network_b, jaccard from {{ ref('network_function_overlap') }})
union all
(select network_a, network_b, jaccard from {{ ref('network_function_overlap') }}
 except select network_a, network_b, jaccard from {{ ref('network_overlap') }})
