{{ config(materialized='view') }}  {#- as every raw-rows model: see raw_rows_union #}
select * from {{ ref('int_raw_rows') }}
