select
    indicator::varchar as indicator,
    tier::varchar as tier,
    value::double as kpi_value,
    {{ lineage_columns() }}
from {{ source('hr_returns', 'kpis') }}
