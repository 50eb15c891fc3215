{#- The figure families audit.fct_figure_source_rows writes in this build. From scratch, every
    one. Building on the last warehouse (an incremental run, which dbt selects as what is
    downstream of the changed sources), only the families whose fig_<family>__sources model is
    selected: the others' inputs did not change, so neither did their rows. Where none is
    selected (the model picked alone, e.g. from the Dagster UI), every one. -#}
{% macro figure_families_written() -%}
{%- set families = figure_families() -%}
{%- if not is_incremental() -%}{{ return(families) }}{%- endif -%}
{%- set selected = [] -%}
{%- for family in families -%}
{%- if ('model.' ~ project_name ~ '.fig_' ~ family ~ '__sources') in selected_resources -%}
{%- do selected.append(family) -%}
{%- endif -%}
{%- endfor -%}
{{ return(selected if selected else families) }}
{%- endmacro %}

{#- The pre-hook: the rows of the families rewritten, deleted first (nothing from scratch). -#}
{% macro delete_figure_families_written() -%}
{%- if is_incremental() -%}
delete from {{ this }} where figure_family in ('{{ figure_families_written() | join("', '") }}')
{%- endif -%}
{%- endmacro %}
