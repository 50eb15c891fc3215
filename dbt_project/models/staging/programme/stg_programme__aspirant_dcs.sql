select
    region_code::varchar as region_code,
    quarter::varchar as quarter,
    participant_id::varchar as participant_id,
    la_code::varchar as la_code,
    tier::varchar as tier,
    event_date::date as event_date,
    status::varchar as status,
    route::varchar as route,
    {{ lineage_columns(place_from_folder=true) }}
from {{ source('programme', 'aspirant_dcs') }}
