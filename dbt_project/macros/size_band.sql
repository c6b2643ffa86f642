{#- Maps a population to its size band label, using the bands in var('size_bands'). -#}
{% macro size_band(population) -%}
    case
    {%- for band in var('size_bands') | sort(attribute='min_population', reverse=true) %}
        when {{ population }} >= {{ band.min_population }} then '{{ band.label }}'
    {%- endfor %}
    end
{%- endmacro %}
