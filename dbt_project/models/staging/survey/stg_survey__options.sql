select
    wave::varchar as wave,
    question_id::varchar as question_id,
    item_code::varchar as item_code,
    item_label::varchar as item_label,
    item_order::integer as item_order,
    option_code::varchar as option_code,
    option_label::varchar as option_label,
    option_order::integer as option_order,
    likert_score::double as likert_score,
    {{ lineage_columns() }}
from {{ source('survey', 'options') }}
