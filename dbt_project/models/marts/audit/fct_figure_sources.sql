-- Figure -> raw rows it was computed from (see int_raw_rows for file, sheet, row, cell).
select * from {{ ref('fig_table_one__sources') }}
union all select * from {{ ref('fig_returns__sources') }}
union all select * from {{ ref('fig_survey__sources') }}
union all select * from {{ ref('fig_interviews__sources') }}
union all select * from {{ ref('fig_programme__sources') }}
union all select * from {{ ref('fig_programme_framework__sources') }}
union all select * from {{ ref('fig_survey_framework__sources') }}
union all select * from {{ ref('fig_national__sources') }}
