{{ config(materialized='view') }}  {#- as every raw-rows model: see raw_rows_union #}
-- Every loaded raw row (or cell) of every source: where it came from and which run loaded it.
select * from {{ ref('int_hr_returns__raw_rows') }}
union all select * from {{ ref('int_survey__raw_rows') }}
union all select * from {{ ref('int_interviews__raw_rows') }}
union all select * from {{ ref('int_programme__raw_rows') }}
