-- Figure -> raw rows it was computed from (see int_raw_rows for file, sheet, row, cell),
-- with each contribution's role in the arithmetic (counted, summed, numerator,
-- denominator, ...), the column that held it and the value found there, where the
-- figure's *__sources model names them (fct_figure_cells falls back to the row's key
-- column otherwise). By name: a sources model that names no column still unions.
-- one sources model per figure family (macros/figure_ids.sql figure_families)
-- Built after fct_figures, never beside it: at 153 LAs x 40 quarters this is ~49 M rows, and the
-- two together ran out of DuckDB's memory limit (600 MB, shared by dbt's threads); each alone fits.
-- depends_on: {{ ref('fct_figures') }}
with unioned as (
    {% for family in figure_families() -%}
    {% if not loop.first %}union all by name {% endif %}select * from {{ ref('fig_' ~ family ~ '__sources') }}
    {% endfor %}
)
select
    figure_id::varchar as figure_id,
    _row_uid::varchar as _row_uid,
    coalesce(role, 'contributes')::varchar as role,
    source_column::varchar as source_column,
    source_value::varchar as source_value
from unioned
