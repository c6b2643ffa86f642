{#- Dates as sources publish them: '2019', '2019-06', '2019-06-14', also inside a longer text ('since 1991-05',
    'c.2025-11 (page names ...)', '2019-2023 (phase II)': the first date it names). -#}

{#- The first ISO-like date token (year 1800-2099, optionally -month, optionally -day) in a text; '' when none. -#}
{% macro published_date_token(column) -%}
regexp_extract(
    {{ column }}, '(?:^|[^0-9])((?:18|19|20)[0-9]{2}(?:-[01][0-9](?:-[0-3][0-9])?)?)(?:[^0-9]|$)', 1
)
{%- endmacro %}

{#- How precise that date is: 'day', 'month' or 'year' (an impossible day or month falls back to the coarser
    part that is valid); null when the text names no date. -#}
{% macro published_date_precision(column) -%}
{%- set token = published_date_token(column) -%}
case
    when length({{ token }}) = 10 and try_cast({{ token }} as date) is not null then 'day'
    when length({{ token }}) >= 7 and try_cast(left({{ token }}, 7) || '-01' as date) is not null then 'month'
    when length({{ token }}) >= 4 then 'year'
end
{%- endmacro %}

{#- That date as a DATE at the start of its precision (a year -> 1 January, a month -> its first day); null
    when the text names no date. -#}
{% macro published_date_on(column) -%}
{%- set token = published_date_token(column) -%}
case {{ published_date_precision(column) }}
    when 'day' then try_cast({{ token }} as date)
    when 'month' then try_cast(left({{ token }}, 7) || '-01' as date)
    when 'year' then try_cast(left({{ token }}, 4) || '-01-01' as date)
end
{%- endmacro %}

{#- The same date as a timestamp at its start (spells' valid_from / valid_to); null when no date. -#}
{% macro published_date(column) -%}
cast({{ published_date_on(column) }} as timestamp)
{%- endmacro %}

{#- A DATE written at its precision ('2019', '2019-06', '2019-06-14'); null when either is null. -#}
{% macro format_published_date(date_column, precision_column) -%}
case {{ precision_column }}
    when 'day' then strftime({{ date_column }}, '%Y-%m-%d')
    when 'month' then strftime({{ date_column }}, '%Y-%m')
    when 'year' then strftime({{ date_column }}, '%Y')
end
{%- endmacro %}
