{{ config(materialized='view') }}  {#- read a stage of figures at a time by the trace pages #}
-- fct_figure_cells without the references expanded: each figure's own contributing values,
-- as stored in fct_figure_source_rows (a survey percent's page lists its numerator here and
-- links its base's page for the denominator). The trace pages read this, not fct_figure_cells
-- filtered: with no reference branch in the plan, DuckDB hashes the figures' rows, not all
-- 2.35 M raw rows, so the join fits in memory on one thread as on many (at 153 LAs x 40
-- quarters, filtered fct_figure_cells needed ~1 GB on one thread; this ~300 MB).
{%- set direct_rows %}
    (
        select figure_id, _row_uid, role, source_column, source_value, via_figure_id
        from {{ ref('fct_figure_source_rows') }}
        where via_figure_id is null
    )
{%- endset %}
{{ figure_cells(direct_rows) }}
