-- The lead's narrative for publication, one row per paragraph or heading, as written.
select
    region_code::varchar as region_code,
    quarter::varchar as quarter,
    paragraph::integer as paragraph,
    kind::varchar as kind,
    text::varchar as text,
    {{ lineage_columns(place_from_folder=true) }}
from {{ source('programme', 'narrative') }}
