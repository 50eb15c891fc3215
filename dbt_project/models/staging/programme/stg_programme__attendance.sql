select
    region_code::varchar as region_code,
    quarter::varchar as quarter,
    activity_id::varchar as activity_id,
    participant_id::varchar as participant_id,
    la_code::varchar as la_code,
    tier::varchar as tier,
    attended_date::date as attended_date,
    {{ lineage_columns(place_from_folder=true) }}
from {{ source('programme', 'attendance') }}
