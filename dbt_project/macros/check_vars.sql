{#- Refuses a run whose project vars are out of range (on-run-start), naming the var, its value and the range:
    a negative border distance or an empty band list would otherwise build quietly wrong metrics. -#}
{% macro check_vars() -%}
    {%- set problems = [] -%}
    {#- name, lowest allowed, highest allowed (none: no bound) -#}
    {%- for name, low, high in [
            ('most_connected_min', 1, none),
            ('border_km', 0, 1000),
            ('small_town_max_population', 1, none),
            ('universe_min_population', 0, none)] -%}
        {%- set value = var(name) -%}
        {%- if value is boolean or value is not number -%}
            {%- do problems.append(name ~ '=' ~ value ~ ' is not a number') -%}
        {%- elif value < low or (high is not none and value > high) -%}
            {%- do problems.append(name ~ '=' ~ value ~ ' is outside [' ~ low ~ ', ' ~ (high if high is not none else 'no limit') ~ ']') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name, bound in [('size_bands', 'min_population'), ('timeline_periods', 'min_year')] -%}
        {%- set rows = var(name) -%}
        {%- if rows is string or rows is mapping or rows is not iterable or rows | length == 0 -%}
            {%- do problems.append(name ~ ' must be a non-empty list of {label, ' ~ bound ~ '}') -%}
        {%- else -%}
            {%- for row in rows -%}
                {%- if row is not mapping or not row.get('label') or row.get(bound) is boolean
                       or row.get(bound) is not number or row.get(bound) < 0 -%}
                    {%- do problems.append(name ~ '[' ~ loop.index0 ~ ']=' ~ row ~ ' needs a label and a ' ~ bound ~ ' >= 0') -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error('dbt vars out of range (dbt_project.yml or --vars): ' ~ problems | join('; ')) }}
    {%- endif -%}
    select 1
{%- endmacro %}
