select
    region_code::varchar as region_code,
    quarter::varchar as quarter,
    participant_id::varchar as participant_id,
    event_date::date as event_date,
    event_type::varchar as event_type,
    tier::varchar as tier,
    la_from::varchar as la_from,
    la_to::varchar as la_to,
    {{ lineage_columns(place_from_folder=true) }}
from {{ source('programme', 'career_events') }}
