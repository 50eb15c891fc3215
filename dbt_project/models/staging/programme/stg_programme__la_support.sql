select
    region_code::varchar as region_code,
    quarter::varchar as quarter,
    la_code::varchar as la_code,
    support_date::date as support_date,
    support_type::varchar as support_type,
    opportunities_created::integer as opportunities_created,
    {{ lineage_columns(place_from_folder=true) }}
from {{ source('programme', 'la_support') }}
