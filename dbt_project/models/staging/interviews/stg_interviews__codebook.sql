select
    wave::varchar as wave,
    theme_path::varchar as theme_path,
    parent_path::varchar as parent_path,
    theme_name::varchar as theme_name,
    theme_level::integer as theme_level,
    theme_order::integer as theme_order,
    description::varchar as description,
    region_code::varchar as region_code,
    {{ lineage_columns() }}
from {{ source('interviews', 'codebook') }}
