{#- The highest run_seq an incremental, run-keyed model already holds (0 when it is built whole), as a
    constant: a filter `run_seq > N` lets DuckDB skip the stored row groups of older runs by their min/max
    instead of reading the whole, growing history (`run_id not in (select ... from this)` reads it all).
    New complete runs always come after the runs built: a run that completes out of order makes the build
    plan (warehouse/build_plan.py) a full refresh. -#}
{% macro run_seq_built() -%}
    {%- if execute and is_incremental() -%}
        {{- run_query('select coalesce(max(run_seq), 0) from ' ~ this).columns[0].values()[0] -}}
    {%- else -%}
        0
    {%- endif -%}
{%- endmacro %}
