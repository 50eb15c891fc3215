select
    region_code::varchar as region_code,
    financial_year::varchar as financial_year,
    stakeholder::varchar as stakeholder,
    part::varchar as part,
    meeting_date::date as meeting_date,
    {{ lineage_columns() }}
from {{ source('programme_plan', 'plan_target_setting') }}
