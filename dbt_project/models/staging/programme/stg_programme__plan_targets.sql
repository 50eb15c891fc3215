select
    region_code::varchar as region_code,
    financial_year::varchar as financial_year,
    indicator::varchar as indicator,
    baseline::double as baseline,
    target::double as target,
    direction::varchar as direction,
    {{ lineage_columns() }}
from {{ source('programme_plan', 'plan_targets') }}
