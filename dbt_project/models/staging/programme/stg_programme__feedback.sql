select
    region_code::varchar as region_code,
    quarter::varchar as quarter,
    activity_id::varchar as activity_id,
    participant_id::varchar as participant_id,
    feedback_date::date as feedback_date,
    rating::integer as rating,
    {{ lineage_columns(place_from_folder=true) }}
from {{ source('programme', 'feedback') }}
