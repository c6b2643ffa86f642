{#- Fails on values that are not a label of var('size_bands'); null passes (a population GeoNames does not know
    has no band; dim_city's contract ties a null band to a null population). -#}
{% test accepted_size_band(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} not in (
    {%- for band in var('size_bands') %}{{ sql_string(band.label) }}{{ ", " if not loop.last }}{% endfor -%}
   )
{% endtest %}
