{#- Fails on values that are not a label of var('size_bands'); nulls fail too (every place has a population). -#}
{% test accepted_size_band(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is null
   or {{ column_name }} not in (
    {%- for band in var('size_bands') %}{{ sql_string(band.label) }}{{ ", " if not loop.last }}{% endfor -%}
   )
{% endtest %}
