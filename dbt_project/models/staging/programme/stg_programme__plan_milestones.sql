select
    region_code::varchar as region_code,
    financial_year::varchar as financial_year,
    milestone_id::varchar as milestone_id,
    milestone::varchar as milestone,
    due_date::date as due_date,
    status::varchar as status,
    completed_date::date as completed_date,
    {{ lineage_columns() }}
from {{ source('programme_plan', 'plan_milestones') }}
