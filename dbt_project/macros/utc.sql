{#- A timestamp the pipeline recorded in UTC without a zone (raw.* columns, dates at midnight) as TIMESTAMPTZ, read
    as UTC whatever the session's TimeZone setting (a plain cast would read it in the session's zone). Only for
    zone-less values: a TIMESTAMPTZ given to timezone() loses its zone. -#}
{% macro utc(column) -%}
timezone('UTC', cast({{ column }} as timestamp))
{%- endmacro %}
