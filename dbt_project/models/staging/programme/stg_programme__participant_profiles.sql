select
    region_code::varchar as region_code,
    quarter::varchar as quarter,
    participant_id::varchar as participant_id,
    profile_date::date as profile_date,
    career_background::varchar as career_background,
    gender::varchar as gender,
    ethnic_group::varchar as ethnic_group,
    first_generation::varchar as first_generation,
    {{ lineage_columns(place_from_folder=true) }}
from {{ source('programme', 'participant_profiles') }}
