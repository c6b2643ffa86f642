{#- The border-proxy grid (int_city_border): cells border_km / 111 degrees of latitude high ... -#}
{% macro border_cell_deg() -%}
    ({{ var('border_km') }} / 111.0)
{%- endmacro %}

{#- ... and, in a row of cells, as wide in longitude as border_km spans at the most poleward latitude of that
    row and its two neighbours (so a place within border_km is at most one column away). -#}
{% macro border_cell_width(row) -%}
    ({{ border_cell_deg() }} / greatest(cos(radians(least(89.9, (abs({{ row }}) + 2) * {{ border_cell_deg() }}))), 0.01))
{%- endmacro %}
