{#
  The one definition of a rating against target (four-level evaluation, resource 13).
  direction 'higher': met if actual >= target; near if actual >= 90% of target.
  direction 'lower':  met if actual <= target; near if actual <= 110% of target.
  "Near" = within 10% of the target value (relative to the target). No target in the
  plan -> 'no target'; a target but no actual figure for the quarter -> 'no data'.
#}
{% macro rate_against_target(actual, target, direction) -%}
case
    when {{ target }} is null then 'no target'
    when {{ actual }} is null then 'no data'
    when {{ direction }} = 'lower' and {{ actual }} <= {{ target }} then 'met'
    when {{ direction }} = 'lower' and {{ actual }} <= {{ target }} + abs({{ target }}) * 0.1 then 'near'
    when {{ direction }} <> 'lower' and {{ actual }} >= {{ target }} then 'met'
    when {{ direction }} <> 'lower' and {{ actual }} >= {{ target }} - abs({{ target }}) * 0.1 then 'near'
    else 'not met'
end
{%- endmacro %}
