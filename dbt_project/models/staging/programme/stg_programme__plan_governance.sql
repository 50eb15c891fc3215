select
    region_code::varchar as region_code,
    financial_year::varchar as financial_year,
    lead_post::varchar as lead_post,
    lead_la::varchar as lead_la,
    sponsor_post::varchar as sponsor_post,
    sponsor_la::varchar as sponsor_la,
    agreed_date::date as agreed_date,
    {{ lineage_columns() }}
from {{ source('programme_plan', 'plan_governance') }}
