{# A view: every staged row's lineage is already stored in staging; copying millions of
   rows into a table per layer cost most of the national-scale build (issue 7). #}
{{ config(materialized='view') }}
select * from {{ ref('int_raw_rows') }}
