{#- A test's `where: __runs_of_this_build__` keeps the rows of the runs this build added to an incremental,
    run-keyed table (int_membership_as_of_run, metrics_history): the rows of earlier runs were written and
    tested by the builds that added them, and a build never changes them, so testing them again would only
    make every refresh slower as history grows. A full refresh rewrites every run: its tests see every row.
    The runs already built are those up to the last successful build's run (meta.dbt_builds, written by
    warehouse/build_plan.py after dbt succeeded); a run that completes out of order makes the plan a full
    refresh, so no run older than that is added by an incremental build. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where') or '' -%}
    {%- if '__runs_of_this_build__' in where -%}
        {%- set where = where.replace('__runs_of_this_build__', runs_of_this_build()) -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{% macro runs_of_this_build() -%}
    {%- if flags.FULL_REFRESH -%}
        true
    {%- else -%}
        run_id not in (
            select run_id from raw.runs
            where started_at <= (
                select max(built.started_at)
                from meta.dbt_builds as builds
                inner join raw.runs as built on built.run_id = builds.run_id
            )
        )
    {%- endif -%}
{%- endmacro %}
