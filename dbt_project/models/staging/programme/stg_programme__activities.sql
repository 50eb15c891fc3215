select
    region_code::varchar as region_code,
    quarter::varchar as quarter,
    activity_id::varchar as activity_id,
    activity_type::varchar as activity_type,
    title::varchar as title,
    start_date::date as start_date,
    end_date::date as end_date,
    provider::varchar as provider,
    budget_line::varchar as budget_line,
    cost_gbp::double as cost_gbp,
    {{ lineage_columns(place_from_folder=true) }}
from {{ source('programme', 'activities') }}
