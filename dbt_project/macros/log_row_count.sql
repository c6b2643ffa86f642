{#- Post-hook of every model: log its row count. The orchestrator streams dbt's events into Dagster while dbt
    runs and cannot open the database then (dbt holds it), so it takes each model's count from this line. -#}
{% macro log_row_count() -%}
    {%- if execute and model.resource_type == 'model' -%}
        {%- set result = run_query('select count(*) from ' ~ this) -%}
        {%- do log('tcn_row_count ' ~ this.schema ~ '.' ~ this.identifier ~ ' ' ~ result.columns[0].values()[0], info=True) -%}
    {%- endif -%}
{%- endmacro %}
