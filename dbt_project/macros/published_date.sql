{#- A date as sources publish it ('2019', '2019-06', '2019-06-14') as a timestamp at its start; null when the
    text is no such date. -#}
{% macro published_date(column) -%}
try_cast(
    case
        when regexp_full_match({{ column }}, '[0-9]{4}') then {{ column }} || '-01-01'
        when regexp_full_match({{ column }}, '[0-9]{4}-[0-9]{2}') then {{ column }} || '-01'
        else {{ column }}
    end as timestamp
)
{%- endmacro %}

{#- The first year 1800-2099 in a published date text ("joined 2016", "2019-06"), null when none. -#}
{% macro published_year(column) -%}
try_cast(regexp_extract({{ column }}, '(18[0-9]{2}|19[0-9]{2}|20[0-9]{2})', 1) as integer)
{%- endmacro %}
