{# The DfE open-data header every published table starts with (time, then geography),
   taken from a fct_figures row (alias `prefix`, or none). #}
{% macro dfe_geography_columns(prefix='') -%}
{%- set p = prefix ~ '.' if prefix else '' -%}
    {{ p }}time_period,
    {{ p }}time_identifier,
    {{ p }}geographic_level,
    {{ p }}country_code,
    'England' as country_name,
    {{ p }}region_code,
    {{ p }}region_name
{%- endmacro %}
