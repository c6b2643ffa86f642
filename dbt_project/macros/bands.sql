{#- The size bands of var('size_bands') as rows (size_band, band_order, min_population, max_population), so a
    metric can show every band, also those without members. max_population is exclusive, null for the top. -#}
{% macro size_band_rows() -%}
    {%- set bands = var('size_bands') | sort(attribute='min_population') -%}
    (values
    {%- for band in bands %}
        ({{ sql_string(band.label) }}, {{ loop.index }}, {{ band.min_population }},
         {{ bands[loop.index].min_population if not loop.last else 'null' }}){{ "," if not loop.last }}
    {%- endfor %}
    ) as size_bands (size_band, band_order, min_population, max_population)
{%- endmacro %}

{#- Maps a founding year to its period label, using the periods in var('timeline_periods'); null stays null. -#}
{% macro timeline_period(year) -%}
    case
    {%- for period in var('timeline_periods') | sort(attribute='min_year', reverse=true) %}
        when {{ year }} >= {{ period.min_year }} then {{ sql_string(period.label) }}
    {%- endfor %}
    end
{%- endmacro %}

{#- True when a population counts as a small town (below var('small_town_max_population')). -#}
{% macro is_small_town(population) -%}
    ({{ population }} < {{ var('small_town_max_population') }})
{%- endmacro %}
