{#- True when a network belongs to the metric subset: it carries the registry tag var('subset_tag_key') with
    the value var('subset_tag_value') (case-insensitive; list-valued tags match any element). An empty key
    puts every network in the subset. -#}
{% macro in_subset(network_id) -%}
    {%- set tag_key = var('subset_tag_key') -%}
    {%- if tag_key is none or tag_key | string | trim == '' -%}
        true
    {%- else -%}
        {{ network_id }} in (
            select network_id
            from {{ ref('int_network_tags') }}
            where lower(tag_key) = lower({{ sql_string(tag_key) }})
              and lower(tag_value) = lower({{ sql_string(var('subset_tag_value')) }})
        )
    {%- endif -%}
{%- endmacro %}

{#- A SQL string literal for a var value (quotes doubled), so a var can never inject SQL. -#}
{% macro sql_string(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}
