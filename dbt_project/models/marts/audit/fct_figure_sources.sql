{{ config(materialized='view') }}  {#- expands fct_figure_source_rows' references: stored there, once #}
-- Figure -> raw rows it was computed from (see int_raw_rows for file, sheet, row, cell), with
-- each contribution's role in the arithmetic (counted, summed, numerator, denominator, ...),
-- the column that held it and the value found there, where the figure's *__sources model
-- names them (fct_figure_cells falls back to the row's key column otherwise).
-- The rows of fct_figure_source_rows, with each reference ("role R: every row of figure V",
-- a survey percent's denominator being its base) replaced by V's direct rows in role R, with
-- via_figure_id V saying so (a trace page lists only a figure's direct rows and links to V's
-- page for the rest). A filter on figure_id reaches both branches; the second then looks up
-- only the referenced figures' rows.
select s.figure_id, s._row_uid, s.role, s.source_column, s.source_value, s.via_figure_id
from {{ ref('fct_figure_source_rows') }} as s
where s.via_figure_id is null
union all
select s.figure_id, v._row_uid, s.role, v.source_column, v.source_value, s.via_figure_id
from {{ ref('fct_figure_source_rows') }} as s
inner join {{ ref('fct_figure_source_rows') }} as v on v.figure_id = s.via_figure_id and v.via_figure_id is null
where s.via_figure_id is not null
