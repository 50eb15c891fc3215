-- Figure -> raw rows it was computed from, as stored (audit.fct_figure_sources is what readers
-- read: this table with its references expanded). Each row is either
--   direct: a raw row (_row_uid, see int_raw_rows for file, sheet, row, cell) with its role in
--     the arithmetic (counted, summed, numerator, denominator, ...), the column that held it and
--     the value found there, where the figure's *__sources model names them (fct_figure_cells
--     falls back to the row's key column otherwise); via_figure_id is null; or
--   a reference: (figure_id, role, via_figure_id) with _row_uid null, meaning "in this role,
--     every direct row of figure via_figure_id". A survey percent's denominator is its base
--     figure's rows (fig_survey_framework__sources), stored once here rather than once per
--     option or theme: at 153 LAs x 40 quarters that is ~17 M rows instead of ~49 M.
-- References do not chain: a referenced figure's own rows are direct (tests check).
-- By name: a sources model that names no column (or no reference) still unions.
-- one sources model per figure family (macros/figure_ids.sql figure_families)
-- Built after fct_figures, never beside it: at 153 LAs x 40 quarters the two together ran out of
-- DuckDB's memory limit (600 MB, shared by dbt's threads); each alone fits.
-- depends_on: {{ ref('fct_figures') }}
-- Incremental by family (macros/figure_families_written.sql): a build that starts from the last
-- warehouse (an incremental run) rewrites only the families whose sources model it rebuilt,
-- those downstream of what changed: a new quarter of HR returns leaves the survey's and the
-- interviews' 10 M rows alone at 153 LAs x 40 quarters. A build from scratch writes them all.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_figure_families_written() }}",
) }}
with unioned as (
    {% for family in figure_families_written() -%}
    {% if not loop.first %}union all by name {% endif %}select '{{ family }}' as figure_family, * from {{ ref('fig_' ~ family ~ '__sources') }}
    {% endfor %}
)
select
    figure_family::varchar as figure_family,
    figure_id::varchar as figure_id,
    _row_uid::varchar as _row_uid,
    coalesce(role, 'contributes')::varchar as role,
    source_column::varchar as source_column,
    source_value::varchar as source_value,
    via_figure_id::varchar as via_figure_id
from unioned
