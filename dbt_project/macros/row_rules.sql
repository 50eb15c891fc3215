{#
  One data test per table for its row rules, instead of one test node per column and rule:
  dbt runs a node, and Dagster stores an asset-check event and looks up a data version, per
  test, which cost more than the queries themselves (benchmarks/PROFILE.md). Each rule is
  checked exactly as dbt's built-in test of the same name checks it:

    not_null:         [column, ...]        a null in the column fails
    unique:           [expression, ...]    a non-null value found on more than one row fails
    accepted_values:  [{column, values}]   a non-null value outside the list fails

  One row per failing value (or null row), naming the rule: the test's failure count is the
  sum of what the built-in tests would have counted. Relationships, and tests with their own
  severity or `where`, stay separate tests.
#}
{% test row_rules(model, not_null=[], unique=[], accepted_values=[]) %}
{%- set parts = [] -%}
{%- for column in not_null -%}
  {%- do parts.append(
      "select 'not_null(" ~ column ~ ")' as rule, null::varchar as failing_value, 1 as n_records"
      ~ " from " ~ model ~ " where " ~ column ~ " is null") -%}
{%- endfor -%}
{%- for expression in unique -%}
  {%- do parts.append(
      "select 'unique(" ~ (expression | replace("'", "''")) ~ ")' as rule, (" ~ expression ~ ")::varchar as failing_value,"
      ~ " count(*) as n_records from " ~ model ~ " where (" ~ expression ~ ") is not null"
      ~ " group by (" ~ expression ~ ") having count(*) > 1") -%}
{%- endfor -%}
{%- for rule in accepted_values -%}
  {%- set quoted = [] -%}
  {%- for value in rule['values'] -%}
    {%- do quoted.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
  {%- endfor -%}
  {%- do parts.append(
      "select 'accepted_values(" ~ rule['column'] ~ ")' as rule, " ~ rule['column'] ~ "::varchar as failing_value,"
      ~ " count(*) as n_records from " ~ model ~ " where " ~ rule['column'] ~ " is not null"
      ~ " and " ~ rule['column'] ~ "::varchar not in (" ~ quoted | join(', ') ~ ") group by " ~ rule['column']) -%}
{%- endfor -%}
{%- if parts %}
{{ parts | join('\nunion all\n') }}
{%- else %}
select null::varchar as rule, null::varchar as failing_value, 1 as n_records where false
{%- endif %}
{% endtest %}
