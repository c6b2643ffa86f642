{#- Fails on text holding U+FFFD or the marks of UTF-8 decoded as Latin-1/cp1252 ("MÃ¼nchen", "â€"). -#}
{% test no_mojibake(model, column_name) %}
select {{ column_name }}
from {{ model }}
where regexp_matches({{ column_name }}, '\x{FFFD}|Ã[\x{0080}-\x{00BF}]|â€')
{% endtest %}
