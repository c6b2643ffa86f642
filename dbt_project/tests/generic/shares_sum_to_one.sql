{#- Fails on every group (e.g. a network) whose shares in column_name do not add up to 1 (within 1e-9).
    Groups whose shares are all null (nothing to share) pass. -#}
{% test shares_sum_to_one(model, column_name, group_by) %}
select {{ group_by | join(', ') }}, sum({{ column_name }}) as total
from {{ model }}
group by {{ group_by | join(', ') }}
having count({{ column_name }}) > 0 and abs(sum({{ column_name }}) - 1) > 1e-9
{% endtest %}
