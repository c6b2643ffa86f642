{#- Fails on rows whose list column holds a NULL element (a null list passes: the column's own null rule applies). -#}
{% test no_null_in_list(model, column_name) %}
select {{ column_name }}
from {{ model }}
where len(list_filter({{ column_name }}, lambda element: element is null)) > 0
{% endtest %}
