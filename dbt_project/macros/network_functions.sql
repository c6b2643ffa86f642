{#- The six functions of Oomen, Baumgärtel & Durmus (2018), as the registry names them. -#}
{% macro network_functions() -%}
{{ return(['information_sharing', 'showcasing', 'story_telling', 'shaming', 'seeking_support',
           'standard_setting']) }}
{%- endmacro %}

{#- Whether a network performs a function, from its registry entry: a coded {value: yes|no|unknown, ...} or
    a bare true/false; null = unknown. -#}
{% macro registry_function(doc, fn) -%}
coalesce(
    try_cast({{ doc }} ->> '$.functions.{{ fn }}' as boolean),
    case {{ doc }} ->> '$.functions.{{ fn }}.value' when 'yes' then true when 'no' then false end
)
{%- endmacro %}
