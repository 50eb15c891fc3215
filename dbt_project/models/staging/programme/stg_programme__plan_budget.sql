select
    region_code::varchar as region_code,
    financial_year::varchar as financial_year,
    budget_line::varchar as budget_line,
    label::varchar as label,
    financial_year::varchar || ' ' || quarter_number::varchar as quarter,
    planned_gbp::double as planned_gbp,
    {{ lineage_columns() }}
from {{ source('programme_plan', 'plan_budget') }}
