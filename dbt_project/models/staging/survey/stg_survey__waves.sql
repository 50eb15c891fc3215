select
    wave::varchar as wave,
    title::varchar as title,
    region_code::varchar as region_code,
    fieldwork_start::date as fieldwork_start,
    fieldwork_end::date as fieldwork_end,
    {{ lineage_columns() }}
from {{ source('survey', 'waves') }}
