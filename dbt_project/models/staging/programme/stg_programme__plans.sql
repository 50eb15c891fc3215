select
    region_code::varchar as region_code,
    financial_year::varchar as financial_year,
    grant_gbp::double as grant_gbp,
    {{ lineage_columns() }}
from {{ source('programme_plan', 'plan') }}
