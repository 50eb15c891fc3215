-- Figure -> raw rows it was computed from (see int_raw_rows for file, sheet, row, cell),
-- with each contribution's role in the arithmetic (counted, summed, numerator,
-- denominator, ...), the column that held it and the value found there, where the
-- figure's *__sources model names them (fct_figure_cells falls back to the row's key
-- column otherwise). By name: a sources model that names no column still unions.
with unioned as (
    select * from {{ ref('fig_table_one__sources') }}
    union all by name select * from {{ ref('fig_returns__sources') }}
    union all by name select * from {{ ref('fig_survey__sources') }}
    union all by name select * from {{ ref('fig_interviews__sources') }}
    union all by name select * from {{ ref('fig_programme__sources') }}
    union all by name select * from {{ ref('fig_programme_framework__sources') }}
    union all by name select * from {{ ref('fig_survey_framework__sources') }}
    union all by name select * from {{ ref('fig_national__sources') }}
)
select
    figure_id::varchar as figure_id,
    _row_uid::varchar as _row_uid,
    coalesce(role, 'contributes')::varchar as role,
    source_column::varchar as source_column,
    source_value::varchar as source_value
from unioned
