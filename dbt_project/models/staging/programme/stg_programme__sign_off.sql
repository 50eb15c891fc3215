select
    region_code::varchar as region_code,
    quarter::varchar as quarter,
    data_as_at::date as data_as_at,
    produced::date as produced,
    signed_off_by::varchar as signed_off_by,
    signed_off_date::date as signed_off_date,
    {{ lineage_columns(place_from_folder=true) }}
from {{ source('programme', 'sign_off') }}
