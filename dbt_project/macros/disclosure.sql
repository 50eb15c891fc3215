{#
  Disclosure control (DESIGN.md), one definition for every published figure.
  Primary: LA-level counts of 1 or 2, and any rate or average on a base under 5,
  are shown as `c`. Region and England counts are suppressed only when they too
  are 1 or 2. Secondary suppression is applied in `int_figures__suppressed`.
#}
{% macro is_primary_suppressed(value, base, unit, geographic_level) -%}
(
    {{ value }} is not null and (
        ({{ unit }} = 'count' and {{ value }} between 1 and {{ var('suppress_counts_up_to') }})
        or ({{ unit }} in ('ratio', 'percent', 'rate', 'score', 'days') and coalesce({{ base }}, 0) < {{ var('suppress_rates_base_below') }})
    )
)
{%- endmacro %}

{# How a value is printed in every output: counts, days and money whole; ratios, percentages,
   scores and targets to 1 dp; coefficients (kappa, alpha) to 2 dp. Targets are plan values,
   not statistics about people, so they are never suppressed. #}
{% macro format_value(value, unit) -%}
case
    when {{ value }} is null then 'x'
    when {{ unit }} in ('count', 'organisations', 'people', 'gbp', 'days') then printf('%d', round({{ value }})::bigint)
    when {{ unit }} in ('ratio', 'percent', 'rate', 'score', 'target') then printf('%.1f', round({{ value }}, 1))
    when {{ unit }} = 'coefficient' then printf('%.2f', round({{ value }}, 2))
    else {{ value }}::varchar
end
{%- endmacro %}
