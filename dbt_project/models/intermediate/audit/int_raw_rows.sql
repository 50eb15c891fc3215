{# A view: every staged row's lineage is already stored in staging; copying millions of
   rows into a table per layer cost most of the national-scale build (issue 7). #}
{{ config(materialized='view') }}
-- Every loaded raw row (or cell) of every source: where it came from and which run loaded it.
select * from {{ ref('int_hr_returns__raw_rows') }}
union all select * from {{ ref('int_survey__raw_rows') }}
union all select * from {{ ref('int_interviews__raw_rows') }}
union all select * from {{ ref('int_programme__raw_rows') }}
