{#- Warns with the rows of a data-quality table that a check flagged (marts.data_quality_issues): contradictions
    in the published data are reported on every build, never fail it, and stay queryable in the table. -#}
{% test flagged_rows(model, check_name) %}
{{ config(severity='warn') }}
select *
from {{ model }}
where check_name = {{ sql_string(check_name) }}
{% endtest %}
