select * from {{ ref('int_quarters') }}
