select
    region_code::varchar as region_code,
    quarter::varchar as quarter,
    entry_ref::varchar as entry_ref,
    entry_date::date as entry_date,
    entry_type::varchar as entry_type,
    budget_line::varchar as budget_line,
    amount_gbp::double as amount_gbp,
    description::varchar as description,
    {{ lineage_columns(place_from_folder=true) }}
from {{ source('programme', 'grant_ledger') }}
