select * from {{ ref('int_raw_rows') }}
