select
    la_code::varchar as la_code,
    quarter::varchar as quarter,
    date_submitted::date as date_submitted,
    {{ lineage_columns() }}
from {{ source('hr_returns', 'about') }}
